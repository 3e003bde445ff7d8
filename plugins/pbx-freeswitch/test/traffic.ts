import type { LiveCallRow } from '../src/call-tracker.js';

/** Hand-written event-socket traffic, one builder per event, for the cases no capture covers. */
export interface Leg {
  uuid: string;
  callId: string;
  name: string;
  direction: 'inbound' | 'outbound';
  /** The agent's extension on a phone leg (dialed user or SIP from-user). */
  user?: string;
  cidNum: string;
  dest: string;
}

/** A `text/event-plain` frame with URL-encoded header values. */
export function eventFrame(headers: Record<string, string>): string {
  const body = `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${encodeURIComponent(value)}`)
    .join('\n')}\n\n`;
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
}

const micros = (seconds: number) => String(Math.round(seconds * 1_000_000));

const legHeaders = (leg: Leg) => ({
  'Unique-ID': leg.uuid,
  'Channel-Call-UUID': leg.callId,
  'Channel-Name': leg.name,
  'Call-Direction': leg.direction,
  'Caller-Caller-ID-Number': leg.cidNum,
  'Caller-Destination-Number': leg.dest,
  ...(leg.user
    ? leg.direction === 'outbound'
      ? { variable_dialed_user: leg.user }
      : { variable_sip_from_user: leg.user }
    : {}),
});

export const create = (leg: Leg, time: number) =>
  eventFrame({ 'Event-Name': 'CHANNEL_CREATE', 'Event-Date-Timestamp': micros(time), ...legHeaders(leg) });

export const bridge = (a: Leg, b: Leg, time: number) =>
  eventFrame({
    'Event-Name': 'CHANNEL_BRIDGE',
    'Event-Date-Timestamp': micros(time),
    ...legHeaders(a),
    'Other-Leg-Unique-ID': b.uuid,
  });

export const hangup = (leg: Leg, time: number, cause = 'NORMAL_CLEARING') =>
  eventFrame({
    'Event-Name': 'CHANNEL_HANGUP_COMPLETE',
    'Event-Date-Timestamp': micros(time),
    ...legHeaders(leg),
    'Hangup-Cause': cause,
  });

export const callcenter = (time: number, fields: Record<string, string>) =>
  eventFrame({
    'Event-Name': 'CUSTOM',
    'Event-Subclass': 'callcenter::info',
    'Event-Date-Timestamp': micros(time),
    ...fields,
  });

const rowOf = (leg: Leg, prefix: '' | 'b_'): LiveCallRow => ({
  [`${prefix}uuid`]: leg.uuid,
  [`${prefix}direction`]: leg.direction,
  [`${prefix}name`]: leg.name,
  [`${prefix}state`]: 'CS_EXCHANGE_MEDIA',
  [`${prefix}cid_num`]: leg.cidNum,
  [`${prefix}dest`]: leg.dest,
  [`${prefix}presence_id`]: leg.user ? `${leg.user}@pbx.example.org` : '',
  [`${prefix}callstate`]: 'ACTIVE',
});

/** A `show calls as json` row: `a` with its bridged partner `b`, or `a` alone. */
export const liveCall = (a: Leg, b?: Leg): LiveCallRow => ({
  ...rowOf(a, ''),
  call_uuid: a.callId,
  ...(b ? rowOf(b, 'b_') : {}),
});

export const trunkLeg: Leg = {
  uuid: 'f1000000-0000-4000-8000-00000000000a',
  callId: 'f1000000-0000-4000-8000-00000000000a',
  name: 'sofia/external/+15550001@198.51.100.7',
  direction: 'inbound',
  cidNum: '+15550001',
  dest: '+15557770100',
};
export const agentLeg: Leg = {
  uuid: 'f1000000-0000-4000-8000-00000000000b',
  callId: 'f1000000-0000-4000-8000-00000000000a',
  name: 'sofia/internal/1001@10.0.0.20',
  direction: 'outbound',
  user: '1001',
  cidNum: '+15550001',
  dest: '1001',
};

/** One inbound call answered by 1001, each event a separate frame (for drops at every boundary). */
export const inboundCallFrames = (): string[] => [
  create(trunkLeg, 1700020000),
  create(agentLeg, 1700020001),
  bridge(trunkLeg, agentLeg, 1700020005),
  hangup(trunkLeg, 1700020060),
  hangup(agentLeg, 1700020060.1),
];
