import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type AgentProcess, startAgentProcess } from './e2e-host.js';
import {
  callRow,
  createUser,
  eventually,
  type OrchestratorHost,
  putSettings,
  recordingsOf,
} from './orchestrator-host.js';
import type { PbxServer } from './orchestrator-pbx.js';

/**
 * A PBX transcript drives a real host and the real agent: the first part bridges extension 1001 into the
 * call, some seconds pass so the agent records, the rest hangs up. Checks the call row and that its screen
 * recording reached local storage under the template name.
 */
export async function recordTranscriptCall(
  h: OrchestratorHost,
  pbx: PbxServer,
  parts: [string, string],
  expected: { callId: string; direction: string; from: string },
): Promise<AgentProcess> {
  await createUser(h, { name: 'Alice Agent', login: 'E2E\\alice', extension: '1001' });
  await putSettings(h, { wrapUpSeconds: 0, maxFileSeconds: 10 });
  const agent = await startAgentProcess({
    controllerPort: h.controllerPort,
    token: h.tenantToken,
    login: 'e2e\\ALICE',
  });
  try {
    const pending = await eventually(
      'the agent to appear as pending',
      async () => (await h.api('GET', '/api/workstations?state=pending')).body.items[0],
      60_000,
    );
    await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
    await eventually(
      'the agent to be authorized',
      async () => (await h.api('GET', '/api/workstations?state=authorized')).body.items[0],
    );
    await pbx.loggedIn;
    await pbx.send(parts[0]);
    const recording = await eventually(
      'the capture to start',
      async () => {
        const row = await h.db.selectFrom('recordings').selectAll().executeTakeFirst();
        return row && row.state === 'recording' && row;
      },
      30_000,
    );
    // Lets the agent write some seconds of video before the hangup.
    await new Promise((r) => setTimeout(r, 4000));
    await pbx.send(parts[1]);
    const stored = await eventually(
      'the recording to be stored',
      async () => {
        const row = await h.db
          .selectFrom('recordings')
          .selectAll()
          .where('id', '=', recording.id)
          .executeTakeFirst();
        return row?.state === 'stored' && row;
      },
      90_000,
    );
    assert.ok(stored.end_reason, 'the recording says why it ended');
    const call = (await callRow(h, expected.callId))!;
    assert.ok(call, `a call row for ${expected.callId}`);
    assert.equal(call.state, 'ended');
    assert.equal(call.direction, expected.direction);
    assert.equal(call.from_number, expected.from);
    assert.equal(call.extension, '1001');
    assert.equal(call.no_recording_reason, null);
    assert.deepEqual(
      (await recordingsOf(h, call.id)).map((r) => r.id),
      [recording.id],
      'the call links its screen recording',
    );
    const segments = await h.db
      .selectFrom('segments')
      .selectAll()
      .where('recording_id', '=', recording.id)
      .orderBy('idx')
      .execute();
    assert.ok(segments.length >= 1, 'at least one segment');
    for (const segment of segments) {
      assert.equal(segment.state, 'stored');
      assert.equal(segment.storage_target_id, 'default-local');
      const day = new Date(segment.started_at).toISOString().slice(0, 10).replaceAll('-', '');
      assert.match(
        segment.storage_key!,
        new RegExp(`^${day}/${day}\\d{6}-${recording.id}(-0-\\d{3})?\\.mp4$`),
      );
      const file = path.join(h.dataDir, 'recordings', ...segment.storage_key!.split('/'));
      assert.equal(
        (await fs.stat(file)).size,
        Number(segment.bytes),
        'the stored file has the bytes the agent sent',
      );
    }
    return agent;
  } catch (error) {
    await agent.kill();
    throw error;
  }
}
