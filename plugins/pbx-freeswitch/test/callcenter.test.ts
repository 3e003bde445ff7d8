import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { callcenterAction } from '../src/callcenter.js';
import { replayEsl, summary } from './replay.js';
import { bridge, callcenter, create, hangup, type Leg, trunkLeg } from './traffic.js';

/** mod_callcenter originates the agent through a contact whose headers carry no extension (a gateway, loopback). */
const agentContact: Leg = {
  uuid: 'cc000000-0000-4000-8000-0000000000a1',
  callId: 'cc000000-0000-4000-8000-0000000000a1',
  name: 'sofia/gateway/agents/agent-desk-7',
  direction: 'outbound',
  cidNum: '+15550001',
  dest: 'agent-desk-7',
};

const ccStart = (time: number) =>
  callcenter(time, {
    'CC-Queue': 'support@default',
    'CC-Action': 'bridge-agent-start',
    'CC-Agent': '1007@default',
    'CC-Agent-UUID': agentContact.uuid,
    'CC-Member-UUID': 'member-1',
    'CC-Member-Session-UUID': trunkLeg.uuid,
    'CC-Member-CID-Number': '+15550001',
  });
const ccEnd = (time: number) =>
  callcenter(time, {
    'CC-Queue': 'support@default',
    'CC-Action': 'bridge-agent-end',
    'CC-Agent': '1007@default',
    'CC-Agent-UUID': agentContact.uuid,
    'CC-Member-Session-UUID': trunkLeg.uuid,
    'CC-Hangup-Cause': 'NORMAL_CLEARING',
  });
const ccState = (time: number, state: string) =>
  callcenter(time, {
    'CC-Action': 'agent-state-change',
    'CC-Agent': '1007@default',
    'CC-Agent-State': state,
  });

const cc = suite('pbx-freeswitch: mod_callcenter agent events');

cc('bridge-agent-start puts the agent on the caller call; bridge-agent-end ends it', async () => {
  const { events, problems } = await replayEsl(
    [
      create(trunkLeg, 1700030000),
      ccState(1700030001, 'Receiving'),
      create(agentContact, 1700030002),
      ccStart(1700030005),
      bridge(trunkLeg, agentContact, 1700030005.1),
      ccEnd(1700030090),
      hangup(agentContact, 1700030090.1),
      hangup(trunkLeg, 1700030090.2),
      ccState(1700030091, 'Waiting'),
    ].join(''),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [
    `call.started ${trunkLeg.uuid} 1007 inbound`,
    `call.ended ${trunkLeg.uuid} 1007 inbound`,
  ]);
  assert.equal(events[0]?.at.getTime(), 1700030005000);
  assert.equal(events[1]?.reason, 'NORMAL_CLEARING');
});

cc('an agent going back to Waiting ends a queue call whose bridge-agent-end was lost', async () => {
  const { events } = await replayEsl(
    [create(trunkLeg, 1700031000), ccStart(1700031005), ccState(1700031060, 'Waiting')].join(''),
  );
  assert.deepEqual(summary(events), [
    `call.started ${trunkLeg.uuid} 1007 inbound`,
    `call.ended ${trunkLeg.uuid} 1007 inbound`,
  ]);
  assert.equal(events[1]?.reason, 'callcenter agent state Waiting');
});

cc('an agent already found by its channel headers is not started twice', async () => {
  const phone: Leg = { ...agentContact, name: 'sofia/internal/1007@10.0.0.27', user: '1007', dest: '1007' };
  const { events } = await replayEsl(
    [
      create(trunkLeg, 1700032000),
      create({ ...phone, callId: trunkLeg.callId }, 1700032002),
      bridge(trunkLeg, { ...phone, callId: trunkLeg.callId }, 1700032005),
      ccStart(1700032005.1),
      hangup(phone, 1700032050),
      ccEnd(1700032050.1),
    ].join(''),
  );
  assert.deepEqual(summary(events), [
    `call.started ${trunkLeg.uuid} 1007 inbound`,
    `call.ended ${trunkLeg.uuid} 1007 inbound`,
  ]);
});

cc('events of other subclasses and actions are ignored', () => {
  assert.equal(
    callcenterAction({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register', 'CC-Agent': 'a' }),
    undefined,
  );
  assert.equal(
    callcenterAction({
      'Event-Name': 'CUSTOM',
      'Event-Subclass': 'callcenter::info',
      'CC-Action': 'member-queue-start',
      'CC-Agent': 'a',
    }),
    undefined,
  );
});

cc.run();
