declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    mkdir?: boolean;
    limit?: { count?: number };
  }

  export default function pinoRoll(
    options: PinoRollOptions,
  ): Promise<
    DestinationStream & { end(): void; flushSync?(): void; once(event: string, cb: () => void): void }
  >;
}
