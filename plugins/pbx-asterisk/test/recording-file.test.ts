import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { amiAction } from '../src/ami-parser.js';
import { replayAmi, summary } from './replay.js';
import { bridgeEnter, type Chan, hangup, newchannel } from './traffic.js';

const trunk: Chan = {
  channel: 'PJSIP/carrier-00000020',
  uniqueid: '1700020000.1',
  linkedid: '1700020000.1',
  callerIdNum: '+15550111',
};
const agent: Chan = { channel: 'PJSIP/1001-00000021', uniqueid: '1700020000.2', linkedid: '1700020000.1' };
const FILE = '/var/spool/asterisk/monitor/2023/11/14/in-1700020000.1.wav';

const varSet = (c: Chan, variable: string, value: string, time: number) =>
  amiAction({
    Event: 'VarSet',
    Privilege: 'dialplan,all',
    Timestamp: time.toFixed(6),
    Channel: c.channel,
    Uniqueid: c.uniqueid,
    Linkedid: c.linkedid,
    Variable: variable,
    Value: value,
  });

/** A call: trunk and agent bridged, `during` sent while they talk, then both hang up (agent first). */
const call = (during: string, end: string = hangup(agent, 1700020060)) =>
  [
    newchannel(trunk, 1700020000),
    newchannel(agent, 1700020001),
    bridgeEnter(trunk, 'br-r', 1, 1700020002),
    bridgeEnter(agent, 'br-r', 2, 1700020002.1),
    during,
    end,
    hangup(trunk, 1700020060.1),
  ].join('');

const recordings = suite('pbx-asterisk: the PBX recording of a call');

recordings('VarSet MIXMONITOR_FILENAME on the trunk channel names the recording on call.ended', async () => {
  const { events, problems } = await replayAmi(call(varSet(trunk, 'MIXMONITOR_FILENAME', FILE, 1700020003)));
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [
    'call.started 1700020000.1 1001 inbound',
    'call.ended 1700020000.1 1001 inbound',
  ]);
  assert.equal(events[0]?.recording, undefined, 'the start does not name it');
  assert.deepEqual(events[1]?.recording, { file: FILE });
});

recordings('MixMonitorStart with ChanVariable (manager.conf channelvars) names it', async () => {
  const start = [
    'Event: MixMonitorStart',
    'Privilege: call,all',
    'Timestamp: 1700020003.000000',
    `Channel: ${agent.channel}`,
    `Uniqueid: ${agent.uniqueid}`,
    `Linkedid: ${agent.linkedid}`,
    'ChanVariable: QUEUE=sales',
    `ChanVariable: MIXMONITOR_FILENAME=${FILE}`,
    'ChanVariable: OTHER=',
    '',
    '',
  ].join('\r\n');
  const stop = start.replace('MixMonitorStart', 'MixMonitorStop');
  const { events, problems } = await replayAmi(call(start + stop));
  assert.deepEqual(problems, []);
  assert.deepEqual(events[1]?.recording, { file: FILE });
});

recordings('a ChanVariable on the Hangup itself is enough (no VarSet in the event mask)', async () => {
  const end = hangup(agent, 1700020060).replace(
    '\r\n\r\n',
    `\r\nChanVariable(${agent.channel}): MIXMONITOR_FILENAME=${FILE}\r\n\r\n`,
  );
  const { events } = await replayAmi(call('', end));
  assert.deepEqual(events[1]?.recording, { file: FILE });
});

recordings('a configured channel variable and a dialplan UserEvent header', async () => {
  const custom = await replayAmi(call(varSet(agent, 'CALLFILE', '/rec/a.wav', 1700020003)), {
    recordingVariables: ['callfile'],
  });
  assert.deepEqual(custom.events[1]?.recording, { file: '/rec/a.wav' });
  const userEvent = amiAction({
    Event: 'UserEvent',
    Privilege: 'user,all',
    Channel: trunk.channel,
    Uniqueid: trunk.uniqueid,
    Linkedid: trunk.linkedid,
    UserEvent: 'CallMonitor',
    MonFile: '/rec/b.wav',
  });
  const user = await replayAmi(call(userEvent), { recordingHeaders: ['MonFile'] });
  assert.deepEqual(user.problems, []);
  assert.deepEqual(user.events[1]?.recording, { file: '/rec/b.wav' });
  const notConfigured = await replayAmi(call(userEvent));
  assert.equal(notConfigured.events[1]?.recording, undefined, 'UserEvent headers are read only when named');
});

recordings('a variable cleared to empty, or any other variable, names no recording', async () => {
  const { events, problems } = await replayAmi(
    call(
      varSet(trunk, 'MIXMONITOR_FILENAME', '', 1700020003) +
        varSet(trunk, 'SOMETHING_ELSE', '/tmp/x.wav', 1700020004),
    ),
  );
  assert.deepEqual(problems, []);
  assert.equal(summary(events).length, 2);
  assert.equal(events[1]?.recording, undefined);
});

recordings.run();
