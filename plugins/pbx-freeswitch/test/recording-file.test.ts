import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { replayEsl, summary } from './replay.js';
import { bridge, create, eventFrame, hangup, type Leg } from './traffic.js';

const CALL = 'c0ffee00-0000-4000-8000-000000000001';
const caller: Leg = {
  uuid: CALL,
  callId: CALL,
  name: 'sofia/gateway/carrier/+15550123',
  direction: 'inbound',
  cidNum: '+15550123',
  dest: '1001',
};
const agent: Leg = {
  uuid: 'c0ffee00-0000-4000-8000-000000000002',
  callId: CALL,
  name: 'sofia/internal/1001@pbx.example.org',
  direction: 'outbound',
  user: '1001',
  cidNum: '+15550123',
  dest: '1001',
};
const FILE = '/var/lib/freeswitch/recordings/2023-11-14/c0ffee00.wav';
const at = (seconds: number) => String(Math.round((1700030000 + seconds) * 1_000_000));

const onLeg = (leg: Leg, name: string, seconds: number, extra: Record<string, string>) =>
  eventFrame({
    'Event-Name': name,
    'Event-Date-Timestamp': at(seconds),
    'Unique-ID': leg.uuid,
    'Channel-Call-UUID': leg.callId,
    'Channel-Name': leg.name,
    'Call-Direction': leg.direction,
    ...extra,
  });

/** Caller and agent bridged, `during` sent while they talk, then the agent and the caller hang up. */
const call = (during: string, agentHangup = hangup(agent, 1700030060)) =>
  [
    create(caller, 1700030000),
    create(agent, 1700030001),
    bridge(caller, agent, 1700030002),
    during,
    agentHangup,
    hangup(caller, 1700030060.5),
  ].join('');

const recordings = suite('pbx-freeswitch: the PBX recording of a call');

recordings('RECORD_START on the caller leg names the recording on the agent’s call.ended', async () => {
  const { events, problems } = await replayEsl(
    call(
      onLeg(caller, 'RECORD_START', 3, { 'Record-File-Path': FILE }) +
        onLeg(caller, 'RECORD_STOP', 59, { 'Record-File-Path': FILE }),
    ),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [`call.started ${CALL} 1001 inbound`, `call.ended ${CALL} 1001 inbound`]);
  assert.equal(events[0]?.recording, undefined);
  assert.deepEqual(events[1]?.recording, { file: FILE });
});

recordings('RECORD_STOP alone (the source connected mid-recording) is enough', async () => {
  const { events } = await replayEsl(call(onLeg(agent, 'RECORD_STOP', 59, { 'Record-File-Path': FILE })));
  assert.deepEqual(events[1]?.recording, { file: FILE });
});

recordings('a record_session execution names its file, without the time limit', async () => {
  const { events, problems } = await replayEsl(
    call(
      onLeg(caller, 'CHANNEL_EXECUTE', 3, {
        Application: 'record_session',
        'Application-Data': `${FILE} +3600`,
      }),
    ),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(events[1]?.recording, { file: FILE });
});

recordings('a configured channel variable on the hangup names it', async () => {
  const fixed = onLeg(agent, 'CHANNEL_HANGUP_COMPLETE', 60, {
    'Hangup-Cause': 'NORMAL_CLEARING',
    variable_recording_file: '/rec/x.wav',
  });
  const configured = await replayEsl(call('', fixed), { recordingVariables: ['recording_file'] });
  assert.deepEqual(configured.problems, []);
  assert.deepEqual(configured.events[1]?.recording, { file: '/rec/x.wav' });
  const unset = await replayEsl(call('', fixed));
  assert.equal(unset.events[1]?.recording, undefined, 'variables are read only when named');
});

recordings('RECORD_STOP without a file, or another application, names nothing', async () => {
  const { events, problems } = await replayEsl(
    call(
      onLeg(caller, 'RECORD_STOP', 59, {}) +
        onLeg(caller, 'CHANNEL_EXECUTE', 4, { Application: 'playback', 'Application-Data': '/tmp/x.wav' }),
    ),
  );
  assert.deepEqual(problems, []);
  assert.equal(summary(events).length, 2);
  assert.equal(events[1]?.recording, undefined);
});

recordings.run();
