import { amiAction } from '../src/ami-parser.js';
import type { LiveRow } from './fake-ami.js';

/** Hand-written AMI 2 traffic, one builder per event, for the cases no capture covers. */
export interface Chan {
  channel: string;
  uniqueid: string;
  linkedid: string;
  callerIdNum?: string;
  context?: string;
}

const base = (c: Chan, time: number) => ({
  Privilege: 'call,all',
  Timestamp: time.toFixed(6),
  Channel: c.channel,
  CallerIDNum: c.callerIdNum ?? '<unknown>',
  Context: c.context ?? 'from-internal',
  Uniqueid: c.uniqueid,
  Linkedid: c.linkedid,
});

export const newchannel = (c: Chan, time: number) => amiAction({ Event: 'Newchannel', ...base(c, time) });

export const bridgeEnter = (
  c: Chan,
  bridge: string,
  count: number,
  time: number,
  type: 'basic' | 'holding' = 'basic',
) =>
  amiAction({
    Event: 'BridgeEnter',
    ...base(c, time),
    BridgeUniqueid: bridge,
    BridgeType: type,
    BridgeTechnology: type === 'holding' ? 'holding_bridge' : 'simple_bridge',
    BridgeNumChannels: String(count),
  });

export const bridgeLeave = (c: Chan, bridge: string, count: number, time: number) =>
  amiAction({
    Event: 'BridgeLeave',
    ...base(c, time),
    BridgeUniqueid: bridge,
    BridgeNumChannels: String(count),
  });

export const hangup = (c: Chan, time: number, cause = 'Normal Clearing') =>
  amiAction({ Event: 'Hangup', ...base(c, time), Cause: '16', 'Cause-txt': cause });

/** A CoreShowChannel row for `c`, in bridge `bridge` (empty: not bridged). */
export const liveRow = (c: Chan, bridge = ''): LiveRow => ({
  Channel: c.channel,
  Uniqueid: c.uniqueid,
  Linkedid: c.linkedid,
  Context: c.context ?? 'from-internal',
  CallerIDNum: c.callerIdNum ?? '<unknown>',
  ChannelState: '6',
  ChannelStateDesc: 'Up',
  BridgeId: bridge,
  Duration: '00:00:42',
});

/** An inbound call from a trunk answered by agent 1001: the standard "call that is up". */
export const trunk: Chan = {
  channel: 'PJSIP/carrier-00000001',
  uniqueid: '1700009000.1',
  linkedid: '1700009000.1',
  callerIdNum: '+15550001',
};
export const agent1001: Chan = {
  channel: 'PJSIP/1001-00000002',
  uniqueid: '1700009000.2',
  linkedid: '1700009000.1',
  callerIdNum: '1001',
};

/** The messages of one whole call, each a separate string (for drops at every boundary). */
export const inboundCallMessages = (): string[] => [
  newchannel(trunk, 1700009000),
  newchannel(agent1001, 1700009001),
  bridgeEnter(trunk, 'br-1', 1, 1700009005),
  bridgeEnter(agent1001, 'br-1', 2, 1700009005.5),
  bridgeLeave(trunk, 'br-1', 1, 1700009060),
  hangup(trunk, 1700009060.1),
  bridgeLeave(agent1001, 'br-1', 0, 1700009060.2),
  hangup(agent1001, 1700009060.3),
];
