import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import { replayEsl, summary } from './replay.js';

// Real captures live outside the repository (MPL-2.0); they are read in place, never copied.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// DESKREC_PBX_FIXTURES points elsewhere when the repository is not checked out beside `shared/` (a worktree).
const fixtures = path.resolve(
  process.env.DESKREC_PBX_FIXTURES ?? path.resolve(repoRoot, '..', 'shared', 'fixtures', 'pbx'),
  'freeswitch-esl',
);
const enabled = process.env.DESKREC_TEST_SYSTEM === '1' && fs.existsSync(fixtures);

const captured = suite('pbx-freeswitch: captured event-socket traffic');

if (!enabled) {
  captured.skip('captured traffic (needs DESKREC_TEST_SYSTEM=1 and ../shared/fixtures/pbx)', () => {});
} else {
  // Outbound-socket sessions: the stream opens with the CHANNEL_DATA reply to `connect`, then command and api
  // replies, events and disconnect notices. The whole stream is replayed after the inbound-mode login; the
  // source reads the events and passes over the rest.
  const cases: { file: string; expect: string[] }[] = [
    {
      file: 'outbound-socket-inbound-bridged-caller-hangup.txt',
      expect: [
        'call.started 78b86350-4fb8-4d2b-a629-1eeafd7d2f74 1001 internal',
        'call.started 78b86350-4fb8-4d2b-a629-1eeafd7d2f74 1003 internal',
        'call.ended 78b86350-4fb8-4d2b-a629-1eeafd7d2f74 1001 internal',
        'call.ended 78b86350-4fb8-4d2b-a629-1eeafd7d2f74 1003 internal',
      ],
    },
    {
      file: 'outbound-socket-inbound-bridged-callee-hangup.txt',
      expect: [
        'call.started 6d0096a0-e24c-485b-8c20-846548cce301 1001 internal',
        'call.started 6d0096a0-e24c-485b-8c20-846548cce301 1003 internal',
        'call.ended 6d0096a0-e24c-485b-8c20-846548cce301 1003 internal',
        'call.ended 6d0096a0-e24c-485b-8c20-846548cce301 1001 internal',
      ],
    },
    // The callee never answered: no agent was ever bridged.
    { file: 'outbound-socket-caller-abandons-while-callee-ringing.txt', expect: [] },
    { file: 'outbound-socket-callee-rejects.txt', expect: [] },
    {
      file: 'outbound-socket-bridged-dtmf-attxfer-attempt-callee-hangup.txt',
      expect: [
        'call.started 298fde4b-af8e-4930-b3ee-b655641c9d21 1001 internal',
        'call.started 298fde4b-af8e-4930-b3ee-b655641c9d21 1003 internal',
        'call.ended 298fde4b-af8e-4930-b3ee-b655641c9d21 1003 internal',
        'call.ended 298fde4b-af8e-4930-b3ee-b655641c9d21 1001 internal',
      ],
    },
    {
      // 1003 consults 1002 with att_xfer: 1002 joins the call, then everyone hangs up.
      file: 'outbound-socket-attended-transfer-three-way.txt',
      expect: [
        'call.started 9c2d9b5b-d300-4609-a026-ed9e821b4a45 1001 internal',
        'call.started 9c2d9b5b-d300-4609-a026-ed9e821b4a45 1003 internal',
        'call.started 9c2d9b5b-d300-4609-a026-ed9e821b4a45 1002 internal',
        'call.ended 9c2d9b5b-d300-4609-a026-ed9e821b4a45 1003 internal',
        'call.ended 9c2d9b5b-d300-4609-a026-ed9e821b4a45 1002 internal',
        'call.ended 9c2d9b5b-d300-4609-a026-ed9e821b4a45 1001 internal',
      ],
    },
  ];
  for (const { file, expect } of cases) {
    captured(file, async () => {
      const { events, problems } = await replayEsl(fs.readFileSync(path.join(fixtures, file), 'utf8'));
      assert.deepEqual(problems, []);
      assert.deepEqual(summary(events), expect);
      // Times come from Event-Date-Timestamp (January 2015), not from the clock.
      for (const event of events) assert.equal(event.at.getUTCFullYear(), 2015);
    });
  }

  captured('RECORD_STEREO variables and failed record-session api replies name no recording', async () => {
    // These sessions set record_stereo/RECORD_STEREO and get `-ERR Cannot stop record session!`, but record
    // nothing: no RECORD_START, no record_session execution, no file path.
    for (const file of [
      'outbound-socket-bridged-dtmf-attxfer-attempt-callee-hangup.txt',
      'outbound-socket-attended-transfer-three-way.txt',
    ]) {
      const { events, problems } = await replayEsl(fs.readFileSync(path.join(fixtures, file), 'utf8'));
      assert.deepEqual(problems, []);
      assert.ok(events.length > 0, file);
      assert.deepEqual(
        events.filter((e) => e.recording),
        [],
        file,
      );
    }
  });

  captured('startOn answer: the caller is on the call once the socket app answers', async () => {
    const file = 'outbound-socket-caller-abandons-while-callee-ringing.txt';
    const { events } = await replayEsl(fs.readFileSync(path.join(fixtures, file), 'utf8'), {
      startOn: 'answer',
    });
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.agent.value}`),
      ['call.started 1001', 'call.ended 1001'],
    );
  });
}

captured.run();
