import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { type AmiMessage, AmiParser, amiAction } from '../src/ami-parser.js';
import { LegacyCallTracker } from '../src/legacy-tracker.js';
import { AsteriskOptionsSchema } from '../src/options.js';
import { replayAmi, summary } from './replay.js';

/** Hand-written AMI 1.1 traffic (Asterisk 1.8/11): no Linkedid, no BridgeEnter. */
const ev = (fields: Record<string, string>) => amiAction({ Privilege: 'call,all', ...fields });
const newchannel = (channel: string, uniqueid: string, context = 'from-internal') =>
  ev({
    Event: 'Newchannel',
    Channel: channel,
    Uniqueid: uniqueid,
    Context: context,
    CallerIDNum: '<unknown>',
  });
const dial = (channel: string, uniqueid: string, destination: string, destUniqueid: string) =>
  ev({
    Event: 'Dial',
    SubEvent: 'Begin',
    Channel: channel,
    Destination: destination,
    UniqueID: uniqueid,
    DestUniqueID: destUniqueid,
  });
const link = (c1: string, u1: string, c2: string, u2: string, state = 'Link') =>
  ev({
    Event: 'Bridge',
    Bridgestate: state,
    Bridgetype: 'core',
    Channel1: c1,
    Channel2: c2,
    Uniqueid1: u1,
    Uniqueid2: u2,
  });
const rename = (channel: string, newname: string, uniqueid: string) =>
  ev({ Event: 'Rename', Channel: channel, Newname: newname, Uniqueid: uniqueid });
const hangup = (channel: string, uniqueid: string) =>
  ev({ Event: 'Hangup', Channel: channel, Uniqueid: uniqueid, Cause: '16', 'Cause-txt': 'Normal Clearing' });

const TRUNK = 'SIP/carrier-00000001';
const legacy = { legacyMode: true, trunkChannelPatterns: ['^SIP/carrier-'] };
const banner = { banner: 'Asterisk Call Manager/1.1' };

const ast11 = suite('pbx-asterisk: legacy mode (AMI 1.x)');

ast11('an inbound call: Dial Begin puts the agent on the caller call, Bridge Link starts it', async () => {
  const { events, problems } = await replayAmi(
    [
      newchannel(TRUNK, '1400000000.1', 'from-trunk'),
      newchannel('SIP/1001-00000002', '1400000000.2'),
      dial(TRUNK, '1400000000.1', 'SIP/1001-00000002', '1400000000.2'),
      link(TRUNK, '1400000000.1', 'SIP/1001-00000002', '1400000000.2'),
      link(TRUNK, '1400000000.1', 'SIP/1001-00000002', '1400000000.2', 'Unlink'),
      hangup('SIP/1001-00000002', '1400000000.2'),
      hangup(TRUNK, '1400000000.1'),
    ].join(''),
    legacy,
    banner,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(summary(events), [
    'call.started 1400000000.1 1001 inbound',
    'call.ended 1400000000.1 1001 inbound',
  ]);
});

ast11(
  'pickup by star code: the masquerade puts 2000 behind the ringing channel, on the caller call',
  async () => {
    const { events } = await replayAmi(
      [
        newchannel(TRUNK, '1400000100.1', 'from-trunk'),
        newchannel('SIP/1001-00000002', '1400000100.2'),
        dial(TRUNK, '1400000100.1', 'SIP/1001-00000002', '1400000100.2'),
        newchannel('SIP/2000-00000003', '1400000105.3'),
        // Pickup(): the ringing channel (original) takes over the picker (clone).
        ev({ Event: 'Masquerade', Clone: 'SIP/2000-00000003', Original: 'SIP/1001-00000002' }),
        rename('SIP/2000-00000003', 'SIP/2000-00000003<MASQ>', '1400000105.3'),
        rename('SIP/1001-00000002', 'SIP/2000-00000003', '1400000100.2'),
        rename('SIP/2000-00000003<MASQ>', 'SIP/1001-00000002<ZOMBIE>', '1400000105.3'),
        hangup('SIP/1001-00000002<ZOMBIE>', '1400000105.3'),
        link(TRUNK, '1400000100.1', 'SIP/2000-00000003', '1400000100.2'),
        hangup('SIP/2000-00000003', '1400000100.2'),
        hangup(TRUNK, '1400000100.1'),
      ].join(''),
      legacy,
      banner,
    );
    assert.deepEqual(summary(events), [
      'call.started 1400000100.1 2000 inbound',
      'call.ended 1400000100.1 2000 inbound',
    ]);
  },
);

ast11(
  'blind transfer: the transferee is masqueraded into a new channel that dials the target; one call id',
  async () => {
    const { events } = await replayAmi(
      [
        newchannel(TRUNK, '1400000200.1', 'from-trunk'),
        newchannel('SIP/1001-00000002', '1400000200.2'),
        dial(TRUNK, '1400000200.1', 'SIP/1001-00000002', '1400000200.2'),
        link(TRUNK, '1400000200.1', 'SIP/1001-00000002', '1400000200.2'),
        // 1001 presses the blind-transfer key: the caller goes to the dialplan through an AsyncGoto masquerade.
        newchannel(`AsyncGoto/${TRUNK}`, '1400000230.4'),
        link(TRUNK, '1400000200.1', 'SIP/1001-00000002', '1400000200.2', 'Unlink'),
        hangup('SIP/1001-00000002', '1400000200.2'),
        rename(TRUNK, `${TRUNK}<MASQ>`, '1400000200.1'),
        rename(`AsyncGoto/${TRUNK}`, TRUNK, '1400000230.4'),
        rename(`${TRUNK}<MASQ>`, `AsyncGoto/${TRUNK}<ZOMBIE>`, '1400000200.1'),
        hangup(`AsyncGoto/${TRUNK}<ZOMBIE>`, '1400000200.1'),
        newchannel('SIP/1002-00000005', '1400000231.5'),
        dial(TRUNK, '1400000230.4', 'SIP/1002-00000005', '1400000231.5'),
        link(TRUNK, '1400000230.4', 'SIP/1002-00000005', '1400000231.5'),
        hangup('SIP/1002-00000005', '1400000231.5'),
        hangup(TRUNK, '1400000230.4'),
      ].join(''),
      legacy,
      banner,
    );
    assert.deepEqual(summary(events), [
      'call.started 1400000200.1 1001 inbound',
      'call.ended 1400000200.1 1001 inbound',
      'call.started 1400000200.1 1002 inbound',
      'call.ended 1400000200.1 1002 inbound',
    ]);
  },
);

ast11(
  'without legacyMode an AMI 1.x server yields no events (and a warning, see reconcile.test.ts)',
  async () => {
    const { events } = await replayAmi(
      [
        newchannel(TRUNK, '1400000300.1', 'from-trunk'),
        newchannel('SIP/1001-00000002', '1400000300.2'),
        link(TRUNK, '1400000300.1', 'SIP/1001-00000002', '1400000300.2'),
        hangup('SIP/1001-00000002', '1400000300.2'),
      ].join(''),
      {},
      banner,
    );
    assert.deepEqual(events, []);
  },
);

ast11('SIP 302 redirect: the forwarded channel is dialed by the caller and joins its call', async () => {
  const { events } = await replayAmi(
    [
      newchannel(TRUNK, '1400000600.1', 'from-trunk'),
      newchannel('SIP/1001-00000002', '1400000600.2'),
      dial(TRUNK, '1400000600.1', 'SIP/1001-00000002', '1400000600.2'),
      // 1001 answers 302 Moved Temporarily to 1003: app_dial hangs up 1001's channel and dials the new target.
      hangup('SIP/1001-00000002', '1400000600.2'),
      newchannel('SIP/1003-00000003', '1400000601.3'),
      dial(TRUNK, '1400000600.1', 'SIP/1003-00000003', '1400000601.3'),
      link(TRUNK, '1400000600.1', 'SIP/1003-00000003', '1400000601.3'),
      hangup('SIP/1003-00000003', '1400000601.3'),
      hangup(TRUNK, '1400000600.1'),
    ].join(''),
    legacy,
    banner,
  );
  assert.deepEqual(summary(events), [
    'call.started 1400000600.1 1003 inbound',
    'call.ended 1400000600.1 1003 inbound',
  ]);
});

ast11(
  'attended transfer: the consultation is its own call; after the masquerade the caller stays with the target',
  async () => {
    const { events } = await replayAmi(
      [
        newchannel(TRUNK, '1400000700.1', 'from-trunk'),
        newchannel('SIP/1001-00000002', '1400000700.2'),
        dial(TRUNK, '1400000700.1', 'SIP/1001-00000002', '1400000700.2'),
        link(TRUNK, '1400000700.1', 'SIP/1001-00000002', '1400000700.2'),
        // 1001 consults 1002 on a second channel, then completes the transfer.
        newchannel('SIP/1001-00000003', '1400000710.3'),
        newchannel('SIP/1002-00000004', '1400000710.4'),
        dial('SIP/1001-00000003', '1400000710.3', 'SIP/1002-00000004', '1400000710.4'),
        link('SIP/1001-00000003', '1400000710.3', 'SIP/1002-00000004', '1400000710.4'),
        rename(TRUNK, `${TRUNK}<MASQ>`, '1400000700.1'),
        rename('SIP/1001-00000003', TRUNK, '1400000710.3'),
        rename(`${TRUNK}<MASQ>`, 'SIP/1001-00000003<ZOMBIE>', '1400000700.1'),
        hangup('SIP/1001-00000003<ZOMBIE>', '1400000700.1'),
        hangup('SIP/1001-00000002', '1400000700.2'),
        link(TRUNK, '1400000710.3', 'SIP/1002-00000004', '1400000710.4'),
        hangup('SIP/1002-00000004', '1400000710.4'),
        hangup(TRUNK, '1400000710.3'),
      ].join(''),
      legacy,
      banner,
    );
    // As on AMI 2 (the captured attended transfer): 1001 is on both calls until it leaves them, 1002 keeps the
    // consultation's call id it started with; 1001's consultation leg ends with its device (the zombie).
    assert.deepEqual(summary(events), [
      'call.started 1400000700.1 1001 inbound',
      'call.started 1400000710.3 1001 internal',
      'call.started 1400000710.3 1002 internal',
      'call.ended 1400000710.3 1001 internal',
      'call.ended 1400000700.1 1001 inbound',
      'call.ended 1400000710.3 1002 internal',
    ]);
  },
);

ast11('reconciling with Asterisk 11 rows (BridgedUniqueID): a missed call starts, a gone one ends', () => {
  const tracker = new LegacyCallTracker(
    AsteriskOptionsSchema.parse({ host: 'x', username: 'u', secret: 's', ...legacy }),
    () => new Date(),
  );
  const messages: AmiMessage[] = [];
  const parser = new AmiParser({
    banner: () => undefined,
    problem: () => undefined,
    message: (m) => messages.push(m),
  });
  parser.push('Asterisk Call Manager/1.3\r\n');
  parser.push(
    newchannel(TRUNK, '1400000400.1', 'from-trunk') +
      newchannel('SIP/1001-00000002', '1400000400.2') +
      link(TRUNK, '1400000400.1', 'SIP/1001-00000002', '1400000400.2'),
  );
  for (const m of messages) tracker.track(m);
  assert.equal(tracker.openCalls, 1);
  tracker.beginReconcile();
  const row = (channel: string, uniqueid: string, bridged: string) => ({
    channel,
    uniqueid,
    bridgedchannel: '',
    bridgeduniqueid: bridged,
    context: 'from-internal',
  });
  const result = tracker.reconcile(
    [
      row('SIP/carrier-00000009', '1400000500.9', '1400000500.10'),
      row('SIP/1002-0000000a', '1400000500.10', '1400000500.9'),
    ],
    new Date(1400000600000),
  );
  assert.deepEqual(
    result.events.map((e) => `${e.type} ${e.callId} ${e.agent.value}`),
    ['call.ended 1400000400.1 1001', 'call.started 1400000500.9 1002'],
  );
  assert.deepEqual([result.ended, result.started], [1, 1]);
});

ast11.run();
