import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { replayAmi, summary } from './replay.js';
import { bridgeEnter, bridgeLeave, type Chan, hangup, newchannel } from './traffic.js';

const caller: Chan = {
  channel: 'PJSIP/carrier-00000010',
  uniqueid: '1700010000.1',
  linkedid: '1700010000.1',
  callerIdNum: '+15550100',
};
const ringing1001: Chan = {
  channel: 'PJSIP/1001-00000011',
  uniqueid: '1700010000.2',
  linkedid: '1700010000.1',
};

const ids = suite('pbx-asterisk: call ids');

ids('pickup by star code: the picking agent joins the caller call, not its own', async () => {
  // 2000 dials *8: its channel has its own Linkedid; Asterisk hangs up the ringing phone and bridges 2000.
  const picker: Chan = { channel: 'PJSIP/2000-00000012', uniqueid: '1700010005.3', linkedid: '1700010005.3' };
  const { events, problems } = await replayAmi(
    [
      newchannel(caller, 1700010000),
      newchannel(ringing1001, 1700010000.1),
      newchannel(picker, 1700010005),
      hangup(ringing1001, 1700010006, 'Answered elsewhere'),
      bridgeEnter(caller, 'br-p', 1, 1700010006.1),
      bridgeEnter(picker, 'br-p', 2, 1700010006.2),
      bridgeLeave(picker, 'br-p', 1, 1700010050),
      hangup(picker, 1700010050.1),
      hangup(caller, 1700010050.2),
    ].join(''),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [
    'call.started 1700010000.1 2000 inbound',
    'call.ended 1700010000.1 2000 inbound',
  ]);
});

ids('pickup by SIP INVITE: the ringing channel is taken over by the picker (masquerade)', async () => {
  // The picker's INVITE replaces the ringing channel: the same Uniqueid now names 2000's device.
  const takenOver: Chan = { ...ringing1001, channel: 'PJSIP/2000-00000013' };
  const pickerOwn: Chan = {
    channel: 'PJSIP/2000-00000013',
    uniqueid: '1700010007.4',
    linkedid: '1700010007.4',
  };
  const { events, problems } = await replayAmi(
    [
      newchannel(caller, 1700010000),
      newchannel(ringing1001, 1700010000.1),
      newchannel(pickerOwn, 1700010007),
      hangup(pickerOwn, 1700010007.5),
      bridgeEnter(caller, 'br-i', 1, 1700010008),
      bridgeEnter(takenOver, 'br-i', 2, 1700010008.1),
      hangup(takenOver, 1700010030),
      hangup(caller, 1700010030.1),
    ].join(''),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [
    'call.started 1700010000.1 2000 inbound',
    'call.ended 1700010000.1 2000 inbound',
  ]);
});

ids('blonde transfer: the target joins the call the caller is on, not the consultation call', async () => {
  const agent: Chan = { channel: 'PJSIP/1001-00000021', uniqueid: '1700011000.2', linkedid: '1700011000.1' };
  const caller2: Chan = {
    ...caller,
    channel: 'PJSIP/carrier-00000020',
    uniqueid: '1700011000.1',
    linkedid: '1700011000.1',
  };
  // 1001 consults 1002 on a second channel, then hangs up while 1002 still rings.
  const consult: Chan = {
    channel: 'PJSIP/1001-00000022',
    uniqueid: '1700011010.3',
    linkedid: '1700011010.3',
  };
  const target: Chan = { channel: 'PJSIP/1002-00000023', uniqueid: '1700011010.4', linkedid: '1700011010.3' };
  const { events, problems } = await replayAmi(
    [
      newchannel(caller2, 1700011000),
      newchannel(agent, 1700011000.1),
      bridgeEnter(caller2, 'br-a', 1, 1700011002),
      bridgeEnter(agent, 'br-a', 2, 1700011002.1),
      newchannel(consult, 1700011010),
      newchannel(target, 1700011010.1),
      bridgeLeave(agent, 'br-a', 1, 1700011015),
      hangup(agent, 1700011015.1),
      hangup(consult, 1700011015.2),
      // 1002 answers: Asterisk puts it with the caller.
      bridgeEnter(target, 'br-a', 2, 1700011020),
      hangup(target, 1700011090),
      hangup(caller2, 1700011090.1),
    ].join(''),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [
    'call.started 1700011000.1 1001 inbound',
    'call.ended 1700011000.1 1001 inbound',
    'call.started 1700011000.1 1002 inbound',
    'call.ended 1700011000.1 1002 inbound',
  ]);
});

ids('an agent alone in a holding bridge (AgentLogin waiting) is not on a call', async () => {
  const agent: Chan = { channel: 'PJSIP/1003-00000031', uniqueid: '1700012000.1', linkedid: '1700012000.1' };
  const moh: Chan = {
    channel: 'Announcer/ARI_MOH-00000001;1',
    uniqueid: '1700012000.2',
    linkedid: '1700012000.2',
  };
  const { events, problems } = await replayAmi(
    [
      newchannel(agent, 1700012000),
      bridgeEnter(agent, 'br-h', 1, 1700012001, 'holding'),
      // Even with a second channel a holding bridge is no call.
      bridgeEnter(moh, 'br-h', 2, 1700012002, 'holding'),
      bridgeLeave(agent, 'br-h', 1, 1700012100),
      hangup(agent, 1700012100.1),
    ].join(''),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(events, []);
});

ids('an agent alone in a basic bridge is not on a call until the other side joins', async () => {
  const agent: Chan = { channel: 'PJSIP/1003-00000041', uniqueid: '1700013000.2', linkedid: '1700013000.1' };
  const far: Chan = { ...caller, uniqueid: '1700013000.1', linkedid: '1700013000.1' };
  const { events } = await replayAmi(
    [
      newchannel(far, 1700013000),
      newchannel(agent, 1700013000.1),
      bridgeEnter(agent, 'br-b', 1, 1700013001),
      bridgeEnter(far, 'br-b', 2, 1700013004),
      hangup(far, 1700013060),
      hangup(agent, 1700013060.1),
    ].join(''),
  );
  assert.deepEqual(summary(events), [
    'call.started 1700013000.1 1003 inbound',
    'call.ended 1700013000.1 1003 inbound',
  ]);
  assert.equal(events[0]?.at.getTime(), 1700013004000, 'the call starts when the other side joins');
});

ids('a malformed line is skipped without swallowing the BridgeEnter after it', async () => {
  const agent: Chan = { channel: 'PJSIP/1004-00000051', uniqueid: '1700014000.2', linkedid: '1700014000.1' };
  const far: Chan = { ...caller, uniqueid: '1700014000.1', linkedid: '1700014000.1' };
  const { events, problems } = await replayAmi(
    [
      newchannel(far, 1700014000),
      newchannel(agent, 1700014000.1),
      bridgeEnter(far, 'br-m', 1, 1700014001),
      // Garbage with no blank line before the next message.
      `this line is not AMI\r\n${bridgeEnter(agent, 'br-m', 2, 1700014002)}`,
      hangup(agent, 1700014030),
    ].join(''),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]?.message ?? '', /without "Name: value"/);
  assert.deepEqual(summary(events), [
    'call.started 1700014000.1 1004 inbound',
    'call.ended 1700014000.1 1004 inbound',
  ]);
});

ids.run();
