import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import { replayAmi, summary } from './replay.js';

// Real captures live outside the repository (their licences differ); they are read in place, never copied.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// DESKREC_PBX_FIXTURES points elsewhere when the repository is not checked out beside `shared/` (a worktree).
const fixtures = path.resolve(
  process.env.DESKREC_PBX_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures', 'pbx'),
  'asterisk-ami',
);
const enabled = process.env.DESKREC_TEST_SYSTEM === '1' && fs.existsSync(fixtures);

const captured = suite('pbx-asterisk: captured AMI traffic');

/** The JSON captures hold one object per event with sorted keys and an extra `content` key: back to wire text. */
function jsonToWire(file: string): string {
  const events = JSON.parse(fs.readFileSync(path.join(fixtures, 'json', file), 'utf8')) as Record<
    string,
    string
  >[];
  return events
    .map((event) => {
      const { Event: name, content: _content, ...rest } = event;
      const lines = [`Event: ${name}`, ...Object.entries(rest).map(([k, v]) => `${k}: ${v}`)];
      return `${lines.join('\r\n')}\r\n\r\n`;
    })
    .join('');
}

const wire = (file: string) => fs.readFileSync(path.join(fixtures, file), 'utf8');

if (!enabled) {
  captured.skip('captured traffic (needs DESKREC_TEST_SYSTEM=1 and ../shared/fixtures/pbx)', () => {});
} else {
  const A = '150010001';
  const B = '150010002';
  const C = '150010003';
  const cases: { file: string; expect: string[] }[] = [
    {
      file: 'internal-answered-caller-hangup.json',
      expect: [
        `call.started 195176c06ab8-1529936170.42 ${B} internal`,
        `call.started 195176c06ab8-1529936170.42 ${A} internal`,
        `call.ended 195176c06ab8-1529936170.42 ${A} internal`,
        `call.ended 195176c06ab8-1529936170.42 ${B} internal`,
      ],
    },
    {
      file: 'internal-answered-callee-hangup.json',
      expect: [
        `call.started 195176c06ab8-1529936710.252 ${B} internal`,
        `call.started 195176c06ab8-1529936710.252 ${A} internal`,
        `call.ended 195176c06ab8-1529936710.252 ${A} internal`,
        `call.ended 195176c06ab8-1529936710.252 ${B} internal`,
      ],
    },
    { file: 'internal-caller-hangs-up-before-answer.json', expect: [] },
    { file: 'internal-callee-rejects.json', expect: [] },
    {
      file: 'queue-inbound-answered.json',
      expect: [
        `call.started 195176c06ab8-1529939196.518 ${B} inbound`,
        `call.ended 195176c06ab8-1529939196.518 ${B} inbound`,
      ],
    },
    { file: 'queue-inbound-caller-abandons.json', expect: [] },
    {
      // A–B talk; B consults C on a second call; B transfers: B's two legs end, A and C stay.
      file: 'attended-transfer-abbcac.json',
      expect: [
        `call.started 195176c06ab8-1529941338.663 ${B} internal`,
        `call.started 195176c06ab8-1529941338.663 ${A} internal`,
        `call.started 195176c06ab8-1529941342.690 ${C} internal`,
        `call.started 195176c06ab8-1529941342.690 ${B} internal`,
        `call.ended 195176c06ab8-1529941342.690 ${B} internal`,
        `call.ended 195176c06ab8-1529941338.663 ${B} internal`,
        `call.ended 195176c06ab8-1529941342.690 ${C} internal`,
        `call.ended 195176c06ab8-1529941338.663 ${A} internal`,
      ],
    },
    {
      // A–B talk; A blind-transfers B to C: A ends, C starts on the same call id.
      file: 'blind-transfer-abacbc.json',
      expect: [
        `call.started 07b796be1962-1529998985.130 ${B} internal`,
        `call.started 07b796be1962-1529998985.130 ${A} internal`,
        `call.ended 07b796be1962-1529998985.130 ${A} internal`,
        `call.started 07b796be1962-1529998985.130 ${C} internal`,
        `call.ended 07b796be1962-1529998985.130 ${B} internal`,
        `call.ended 07b796be1962-1529998985.130 ${C} internal`,
      ],
    },
    {
      // The agent's phone is rung first by an Originate through Local channels; the trunk comes later.
      file: 'click-to-dial-outbound-external.json',
      expect: [
        `call.started c4061ca6474c-1531990515.302 ${A} unknown`,
        `call.ended c4061ca6474c-1531990515.302 ${A} unknown`,
      ],
    },
  ];
  for (const { file, expect } of cases) {
    captured(`json/${file}`, async () => {
      const { events, problems } = await replayAmi(jsonToWire(file));
      assert.deepEqual(problems, []);
      assert.deepEqual(summary(events), expect);
    });
  }

  captured('outbound-answered-caller-hangup.txt (CRLF, two messages without a blank line)', async () => {
    // The peer is named `9170-12`; its caller id is the extension.
    const { events, problems } = await replayAmi(wire('outbound-answered-caller-hangup.txt'), {
      agentIdentity: 'caller-id',
      agentExtensionPattern: '^\\d+(-\\d+)?$',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(summary(events), [
      'call.started 1598887681.60 9170 outbound',
      'call.ended 1598887681.60 9170 outbound',
    ]);
    assert.equal(events[1]?.reason, 'Normal Clearing');
  });

  captured(
    'outbound-answered-caller-hangup.txt: the dialplan UserEvent CallMonitor names the recording',
    async () => {
      // The callee's channel runs `UserEvent(CallMonitor,Recording: on,MonFile: ...)` while the call is bridged.
      const { events, problems } = await replayAmi(wire('outbound-answered-caller-hangup.txt'), {
        agentIdentity: 'caller-id',
        agentExtensionPattern: '^\\d+(-\\d+)?$',
        recordingHeaders: ['MonFile'],
      });
      assert.deepEqual(problems, []);
      assert.deepEqual(summary(events), [
        'call.started 1598887681.60 9170 outbound',
        'call.ended 1598887681.60 9170 outbound',
      ]);
      assert.equal(events[0]?.recording, undefined);
      assert.deepEqual(events[1]?.recording, {
        file: '/var/spool/asterisk/monitor/okon.ferry.sip.com/20200831112801-9656c8c56eba099fef31a8e2eb694483.wav',
      });
      const unnamed = await replayAmi(wire('outbound-answered-caller-hangup.txt'), {
        agentIdentity: 'caller-id',
        agentExtensionPattern: '^\\d+(-\\d+)?$',
      });
      assert.equal(unnamed.events[1]?.recording, undefined, 'by default a UserEvent names nothing');
    },
  );

  captured(
    'originate-click-to-call-answered-hangup-legacy-ast11.txt: AMI 1.x is parsed without problems',
    async () => {
      // Asterisk 11 reports bridges as `Event: Bridge` (Link/Unlink), which this source does not map (AMI 2+ only).
      const text = wire('originate-click-to-call-answered-hangup-legacy-ast11.txt');
      const { events, problems } = await replayAmi(text.slice(text.indexOf('Response: Success')));
      assert.deepEqual(problems, []);
      assert.deepEqual(events, []);
    },
  );

  captured(
    'originate-click-to-call-answered-hangup-legacy-ast11.txt with legacyMode: one call id through the masquerade',
    async () => {
      const text = wire('originate-click-to-call-answered-hangup-legacy-ast11.txt');
      // The peers are anonymised as `ddddd` and `uuuuu`; both are phones.
      const { events, problems } = await replayAmi(
        text.slice(text.indexOf('Response: Success')),
        { legacyMode: true, agentExtensionPattern: '^(ddddd|uuuuu)$' },
        { banner: 'Asterisk Call Manager/1.3' },
      );
      assert.deepEqual(problems, []);
      assert.deepEqual(summary(events), [
        'call.started 1414510600.0 ddddd unknown',
        'call.started 1414510600.0 uuuuu unknown',
        'call.ended 1414510600.0 uuuuu unknown',
        'call.ended 1414510600.0 ddddd unknown',
      ]);
    },
  );

  captured('login-banner-success.txt: the AMI 1.3 banner opens a session', async () => {
    const banner = (wire('login-banner-success.txt').split('\n')[0] ?? '').trim();
    assert.equal(banner, 'Asterisk Call Manager/1.3');
    const { problems } = await replayAmi('', {}, { banner });
    assert.deepEqual(problems, []);
  });
}

captured.run();
