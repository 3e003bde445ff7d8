import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import { databaseKinds } from './db-harness.js';
import {
  callRow,
  createUser,
  decisions,
  eventually,
  type OrchestratorHost,
  putSettings,
  recordingsOf,
  SimAgent,
  startOrchestratorHost,
} from './support/orchestrator-host.js';

const hex64 = 'ab'.repeat(32);

for (const kind of await databaseKinds()) {
  const test = suite(`orchestrator edge cases (${kind} database)`);
  let h: OrchestratorHost;
  const agents: SimAgent[] = [];
  let n = 0;

  /** A fresh licensed user with its own extension and login, and (unless told not to) its agent online. */
  async function agentUser(options: { online?: boolean } = {}) {
    n++;
    const extension = `${kind === 'embedded' ? 3 : 4}${String(n).padStart(3, '0')}`;
    const login = `CORP\\agent${n}`;
    const userId = await createUser(h, { name: `Agent ${n}`, login, extension });
    const agent = options.online === false ? undefined : await SimAgent.connect(h, login);
    if (agent) agents.push(agent);
    return { extension, login, userId, agent: agent! };
  }

  function event(type: 'call.started' | 'call.ended', callId: string, extension: string, at = new Date()) {
    return {
      type,
      callId,
      at: at.toISOString(),
      direction: 'inbound' as const,
      agent: { by: 'extension' as const, value: extension },
    };
  }
  test.before(async () => {
    h = await startOrchestratorHost({ kind });
  });
  test.after.each(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
  });
  test.after(async () => {
    await h.stop();
  });

  test('duplicate and out-of-order events are idempotent by call id', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, agent } = await agentUser();
    const callId = `dup-${kind}`;
    const start = event('call.started', callId, extension);
    // One signing second for both: a repeat signed a second later is a new delivery, not an exact repeat.
    const signedAt = Math.floor(Date.now() / 1000);
    assert.equal(await h.post(start, signedAt), 202);
    assert.equal(await h.post(start, signedAt), 409, 'the webhook itself refuses an exact repeat');
    await h.inject(start);
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    const end = event('call.ended', callId, extension);
    await h.inject(end);
    await h.inject(end);
    await h.inject(start);
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    const call = await eventually('the call to end', async () => {
      const row = await callRow(h, callId);
      return row?.state === 'ended' && decisions(h, callId).length >= 4 && row;
    });
    const legs = await h.db.selectFrom('call_legs').selectAll().where('call_id', '=', call.id).execute();
    assert.equal(legs.length, 1, 'one leg for one agent on one call');
    assert.equal((await recordingsOf(h, call.id)).length, 1);
    assert.equal(agent.starts().length, 1, 'one capture.start for duplicate starts');
    assert.equal(agent.stops().length, 1, 'one capture.stop for duplicate ends');
    assert.deepEqual(decisions(h, callId), [
      'capture started',
      'duplicate start ignored',
      'capture stopped at call end',
      'duplicate end ignored',
      'duplicate start ignored',
    ]);
  });

  test('a repeated start for a leg on record from before a restart keeps no capture', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, userId, agent } = await agentUser();
    const callId = `${kind}-before-restart`;
    const at = new Date(Date.now() - 60_000);
    // Written by an earlier run of the host: this one has never seen the call.
    const call = await h.db
      .insertInto('calls')
      .values({
        id: randomUUID(),
        tenant_id: h.tenantId,
        source_id: 'crm',
        external_call_id: callId,
        direction: 'inbound',
        from_number: null,
        from_name: null,
        to_number: null,
        to_name: null,
        started_at: at,
        ended_at: at,
        user_id: userId,
        extension,
        state: 'ended',
        no_recording_reason: null,
        audio_key: null,
        audio_target_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('call_legs')
      .values({
        id: randomUUID(),
        tenant_id: h.tenantId,
        call_id: call.id,
        agent_by: 'extension',
        agent_value: extension,
        user_id: userId,
        started_at: at,
        ended_at: at,
        recording_id: null,
        no_recording_reason: null,
      })
      .execute();
    await h.inject(event('call.started', callId, extension));
    await agent.waitFor('the stop that takes the start back', () => agent.stops().length === 1);
    const recordings = await h.db
      .selectFrom('recordings')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    assert.equal(recordings.length, 1);
    assert.equal(recordings[0]!.state, 'none');
    assert.match(recordings[0]!.end_reason ?? '', /repeated start/);
    const legs = await h.db.selectFrom('call_legs').selectAll().where('call_id', '=', call.id).execute();
    assert.equal(legs.length, 1);
    assert.equal(legs[0]!.recording_id, null, 'the old leg is not linked to the capture taken back');
    assert.deepEqual(decisions(h, callId), ['duplicate start ignored']);
  });

  test('an end before its start records nothing and says why on the call', async () => {
    const { extension, agent } = await agentUser();
    const callId = `late-start-${kind}`;
    const at = new Date();
    assert.equal(await h.post(event('call.ended', callId, extension, new Date(at.getTime() + 5000))), 202);
    assert.equal(await h.post(event('call.started', callId, extension, at)), 202);
    const call = await eventually('both events applied', async () => {
      const row = await callRow(h, callId);
      return decisions(h, callId).length === 2 && row;
    });
    assert.equal(call.state, 'ended');
    assert.match(call.no_recording_reason ?? '', /^ended-before-start/);
    assert.equal(agent.starts().length, 0, 'no capture for a call the agent already left');
    assert.equal((await recordingsOf(h, call.id)).length, 0);
    assert.match(decisions(h, callId)[1]!, /start arrived after the end/);
  });

  test('two overlapping calls share one capture, stopped only after the second ends', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, agent } = await agentUser();
    const [a, b] = [`overlap-a-${kind}`, `overlap-b-${kind}`];
    await h.post(event('call.started', a, extension));
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    await h.post(event('call.started', b, extension));
    await h.post(event('call.ended', a, extension));
    await eventually('call a to end', async () => (await callRow(h, a))?.state === 'ended');
    assert.equal(agent.stops().length, 0, 'the capture goes on while call b is active');
    assert.ok(decisions(h, a).includes('capture continues: another call of the agent is still going'));
    await h.post(event('call.ended', b, extension));
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    assert.equal(agent.starts().length, 1, 'one capture.start for both calls');
    const [ra, rb] = await Promise.all([
      callRow(h, a).then((c) => recordingsOf(h, c!.id)),
      callRow(h, b).then((c) => recordingsOf(h, c!.id)),
    ]);
    assert.equal(ra.length, 1);
    assert.deepEqual(
      rb.map((r) => r.id),
      [ra[0]!.id],
      'both calls link the same recording',
    );
    assert.ok(decisions(h, b).includes('joins the capture already running on the workstation'));
  });

  test('a call right after another, before the agent confirmed the stop, gets a capture of its own', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, agent } = await agentUser();
    agent.answer = false;
    const [a, b] = [`back-to-back-a-${kind}`, `back-to-back-b-${kind}`];
    await h.inject(event('call.started', a, extension));
    await h.inject(event('call.ended', a, extension));
    await h.inject(event('call.started', b, extension));
    await agent.waitFor('two capture.start', () => agent.starts().length === 2);
    assert.equal(agent.stops().length, 1);
    const first = await h.db
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', agent.starts()[0]!.recordingId)
      .executeTakeFirstOrThrow();
    assert.equal(first.end_reason, 'stopping: call ended', 'the row says a stop was asked for');
    const [ra, rb] = await eventually('both calls linked', async () => {
      const rows = await Promise.all([
        callRow(h, a).then((c) => recordingsOf(h, c!.id)),
        callRow(h, b).then((c) => recordingsOf(h, c!.id)),
      ]);
      return rows.every((r) => r.length === 1) && rows;
    });
    assert.notEqual(ra[0]!.id, rb[0]!.id);
  });

  test('a transfer moves the capture: A stops, B starts, the call links both', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const first = await agentUser();
    const second = await agentUser();
    const callId = `transfer-${kind}`;
    await h.post(event('call.started', callId, first.extension));
    await first.agent.waitFor('A capture.start', () => first.agent.starts().length === 1);
    await h.post(event('call.ended', callId, first.extension));
    await h.post(event('call.started', callId, second.extension));
    await first.agent.waitFor('A capture.stop', () => first.agent.stops().length === 1);
    await second.agent.waitFor('B capture.start', () => second.agent.starts().length === 1);
    // capture.start goes out first; the call's record follows.
    const call = await eventually('the call goes on with B', async () => {
      const row = await callRow(h, callId);
      return row?.state === 'active' && row;
    });
    const recordings = await eventually('both recordings linked', async () => {
      const rows = await recordingsOf(h, call.id);
      return rows.length === 2 && rows;
    });
    assert.deepEqual(
      new Set(recordings.map((r) => r.workstation_id)),
      new Set([first.agent.workstationId, second.agent.workstationId]),
    );
    await h.post(event('call.ended', callId, second.extension));
    await second.agent.waitFor('B capture.stop', () => second.agent.stops().length === 1);
    assert.equal(
      (await eventually('the call to end', async () => callRow(h, callId)))!.user_id,
      first.userId,
    );
  });

  test('logging off mid-call closes the recording as such and its segments are still accepted', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, agent } = await agentUser();
    const callId = `logoff-${kind}`;
    await h.post(event('call.started', callId, extension));
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    const start = agent.starts()[0]!;
    agent.send({ type: 'session', login: null });
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    assert.equal(agent.stops()[0]!.reason, 'agent logged off');
    const recording = await eventually('the recording to end', async () => {
      const row = await h.db
        .selectFrom('recordings')
        .selectAll()
        .where('id', '=', start.recordingId)
        .executeTakeFirst();
      return row?.ended_at && row;
    });
    assert.equal(recording.end_reason, 'agent logged off during the call');
    agent.send({
      type: 'capture.segment',
      captureId: start.captureId,
      segment: {
        index: 0,
        monitorId: '0',
        startedAt: new Date().toISOString(),
        durationMs: 1000,
        bytes: 10,
        sha256: hex64,
        fileName: 'seg-0.mp4',
      },
    });
    await eventually('the segment to be recorded', () =>
      h.db
        .selectFrom('segments')
        .selectAll()
        .where('recording_id', '=', start.recordingId)
        .executeTakeFirst(),
    );
    await h.post(event('call.ended', callId, extension));
    await eventually('the call to end', async () => (await callRow(h, callId))?.state === 'ended');
    assert.equal(agent.stops().length, 1, 'no second stop for a closed recording');
  });

  test('a workstation that disconnects mid-call: recording closed as such, segments accepted on reconnect', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, login, agent } = await agentUser();
    const callId = `disconnect-${kind}`;
    await h.post(event('call.started', callId, extension));
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    const start = agent.starts()[0]!;
    await agent.close();
    const recording = await eventually('the recording to end', async () => {
      const row = await h.db
        .selectFrom('recordings')
        .selectAll()
        .where('id', '=', start.recordingId)
        .executeTakeFirst();
      return row?.ended_at && row;
    });
    assert.equal(recording.end_reason, 'workstation disconnected during the capture');
    const again = await SimAgent.connect(h, login, { identity: agent.identity });
    agents.push(again);
    again.send({
      type: 'capture.segment',
      captureId: start.captureId,
      segment: {
        index: 3,
        monitorId: '0',
        startedAt: new Date().toISOString(),
        durationMs: 1000,
        bytes: 10,
        sha256: hex64,
        fileName: 'seg-3.mp4',
      },
    });
    await eventually('the segment to be recorded', () =>
      h.db
        .selectFrom('segments')
        .selectAll()
        .where('recording_id', '=', start.recordingId)
        .executeTakeFirst(),
    );
    await h.post(event('call.ended', callId, extension));
    await eventually('the call to end', async () => (await callRow(h, callId))?.state === 'ended');
  });

  test('an agent that connects while already on a call gets its capture then', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, login } = await agentUser({ online: false });
    const callId = `late-agent-${kind}`;
    await h.post(event('call.started', callId, extension));
    const waiting = await eventually('the call row', async () => {
      const row = await callRow(h, callId);
      return row?.no_recording_reason ? row : undefined;
    });
    assert.match(waiting.no_recording_reason!, /^no-workstation: .* not logged in on an authorized/);
    const agent = await SimAgent.connect(h, login);
    agents.push(agent);
    await agent.waitFor('capture.start once authorized', () => agent.starts().length === 1);
    const call = await eventually('the reason cleared once recording', async () => {
      const row = await callRow(h, callId);
      return row?.no_recording_reason === null && row;
    });
    assert.equal((await recordingsOf(h, call.id)).length, 1);
    assert.ok(
      decisions(h, callId).includes('agent became reachable during the call; starting the capture now'),
    );

    // An already-authorized workstation that reconnects mid-call starts at connect.
    const other = `late-agent-2-${kind}`;
    const identity = agent.identity;
    await agent.close();
    await h.post(event('call.started', other, extension));
    await eventually('no workstation yet', async () => (await callRow(h, other))?.no_recording_reason);
    const back = await SimAgent.connect(h, login, { identity });
    agents.push(back);
    await back.waitFor('capture.start at connect', () => back.starts().length === 1);
    await h.post(event('call.ended', callId, extension));
    await h.post(event('call.ended', other, extension));
    await back.waitFor('capture.stop', () => back.stops().length === 1);
  });

  test('a plain login matches the workstation login of any domain; a look-alike name does not', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    n++;
    const extension = `7${n}`;
    await createUser(h, { name: 'Plain', login: `plain_${kind}`, extension });
    const decoy = await SimAgent.connect(h, `CORP\\xplain_${kind}`);
    const agent = await SimAgent.connect(h, `CORP\\PLAIN_${kind}`);
    agents.push(decoy, agent);
    const callId = `plain-${kind}`;
    await h.inject(event('call.started', callId, extension));
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    assert.equal(decoy.starts().length, 0);
    await h.inject(event('call.ended', callId, extension));
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
  });

  test('no user, no licence, no login: the call is recorded with the reason', async () => {
    const unlicensed = `${kind}-nolic`;
    n++;
    await createUser(h, { name: 'Unlicensed', login: `CORP\\nolic${n}`, extension: `5${n}`, licence: false });
    await createUser(h, { name: 'No Login', login: null, extension: `6${n}` });
    await h.post(event('call.started', unlicensed, `5${n}`));
    await h.post(event('call.started', `${kind}-nologin`, `6${n}`));
    await h.post(event('call.started', `${kind}-nouser`, '99999'));
    const reasons = await eventually('three reasons', async () => {
      const rows = await Promise.all(
        [unlicensed, `${kind}-nologin`, `${kind}-nouser`].map((id) => callRow(h, id)),
      );
      return rows.every((r) => r?.no_recording_reason) && rows.map((r) => r!.no_recording_reason!);
    });
    assert.match(reasons[0]!, /^no-licence: Unlicensed has no screen-recording seat licence/);
    assert.match(reasons[1]!, /^no-workstation: No Login has no screen-recording login/);
    assert.match(reasons[2]!, /^no-user: no user has extension 99999/);
  });

  test('a user edited through the admin API applies to the very next call (calls are decided from memory)', async () => {
    await putSettings(h, { wrapUpSeconds: 0 });
    const { extension, login, userId, agent } = await agentUser();
    const first = `${kind}-edit-1`;
    await h.inject(event('call.started', first, extension));
    await agent.waitFor('a capture for the licensed user', () => agent.starts().length === 1);
    await h.inject(event('call.ended', first, extension));
    const edit = (body: Record<string, unknown>) =>
      h.api('PUT', `/api/users/${userId}`, {
        name: 'Edited',
        screenRecordingLogin: login,
        extensions: [extension],
        seatLicence: true,
        ...body,
      });
    assert.equal((await edit({ seatLicence: false })).status, 200);
    const second = `${kind}-edit-2`;
    await h.inject(event('call.started', second, extension));
    assert.match((await callRow(h, second))!.no_recording_reason!, /^no-licence: Edited has no/);
    const moved = `${extension}9`;
    assert.equal((await edit({ extensions: [moved] })).status, 200);
    const third = `${kind}-edit-3`;
    await h.inject(event('call.started', third, moved));
    await agent.waitFor('a capture on the new extension', () => agent.starts().length === 2);
    const fourth = `${kind}-edit-4`;
    await h.inject(event('call.started', fourth, extension));
    assert.match((await callRow(h, fourth))!.no_recording_reason!, /^no-user: no user has extension/);
  });

  test('wrap-up: the stop comes after wrapUpSeconds; a call during wrap-up keeps the capture', async () => {
    await putSettings(h, { wrapUpSeconds: 2 });
    const { extension, agent } = await agentUser();
    const [a, b] = [`wrap-a-${kind}`, `wrap-b-${kind}`];
    await h.post(event('call.started', a, extension));
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    await h.post(event('call.ended', a, extension));
    await eventually('the wrap-up decision', async () =>
      decisions(h, a).includes('capture continues for 2 s of wrap-up'),
    );
    // A new call during wrap-up joins the capture; its own end starts a new wrap-up.
    await h.post(event('call.started', b, extension));
    await eventually('call b joins', async () =>
      decisions(h, b).includes('joins the capture already running on the workstation'),
    );
    h.clock.advance(1000);
    await h.post(event('call.ended', b, extension));
    await eventually('the wrap-up decision of b', async () =>
      decisions(h, b).includes('capture continues for 2 s of wrap-up'),
    );
    await h.runDueJobs();
    assert.equal(agent.stops().length, 0, 'no stop 1 s after the first call ended');
    // The first call's wrap-up is over, but the second call ended later: its own wrap-up decides.
    h.clock.advance(1000);
    await h.runDueJobs();
    assert.equal(agent.stops().length, 0, 'no stop 1 s after the last call ended');
    h.clock.advance(1000);
    await h.runDueJobs();
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    assert.equal(agent.stops()[0]!.reason, 'wrap-up time over');
    assert.equal(agent.starts().length, 1, 'one capture across both calls');
    const [ra, rb] = await Promise.all([
      callRow(h, a).then((c) => recordingsOf(h, c!.id)),
      callRow(h, b).then((c) => recordingsOf(h, c!.id)),
    ]);
    assert.deepEqual(
      rb.map((r) => r.id),
      ra.map((r) => r.id),
    );
  });

  test('maximum recording duration: capture.stop is sent while the call goes on', async () => {
    await putSettings(h, { wrapUpSeconds: 0, maxRecordingSeconds: 10 });
    const { extension, agent } = await agentUser();
    const callId = `max-${kind}`;
    await h.post(event('call.started', callId, extension));
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    // capture.start goes out before the database write that queues the stop; the clock moves after it.
    await eventually('the recording on record', async () => {
      const call = await callRow(h, callId);
      return call !== undefined && (await recordingsOf(h, call.id)).length === 1;
    });
    h.clock.advance(9000);
    await h.runDueJobs();
    assert.equal(agent.stops().length, 0, 'not before the maximum duration');
    h.clock.advance(1000);
    await h.runDueJobs();
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    assert.equal(agent.stops()[0]!.reason, 'maximum recording duration reached');
    assert.equal((await callRow(h, callId))!.state, 'active');
    await putSettings(h, { maxRecordingSeconds: 7200 });
    await h.post(event('call.ended', callId, extension));
  });

  test.run();
}
