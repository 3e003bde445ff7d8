/** Time as plugins see it; injected so tests and replays can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
