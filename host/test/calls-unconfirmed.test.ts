import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { HOST_TOKENS } from '../src/tokens.js';
import { databaseKinds } from './db-harness.js';
import {
  callRow,
  createUser,
  eventually,
  type OrchestratorHost,
  putSettings,
  SimAgent,
  startOrchestratorHost,
} from './support/orchestrator-host.js';

for (const kind of await databaseKinds()) {
  const test = suite(`calls no source confirms are ended (${kind} database)`);
  let h: OrchestratorHost;
  const agents: SimAgent[] = [];
  let n = 0;

  async function agentUser() {
    n++;
    const extension = `${kind === 'embedded' ? 5 : 6}${String(n).padStart(3, '0')}`;
    const login = `CORP\\unconfirmed${n}`;
    await createUser(h, { name: `Agent ${n}`, login, extension });
    const agent = await SimAgent.connect(h, login);
    agents.push(agent);
    return { extension, agent };
  }

  const event = (type: 'call.started' | 'call.ended', callId: string, extension: string) => ({
    type,
    callId,
    at: h.clock.now().toISOString(),
    agent: { by: 'extension' as const, value: extension },
  });
  /** Signed at the host clock's second, so the webhook accepts it however far the test moved the clock. */
  const post = (body: ReturnType<typeof event>) => h.post(body, Math.floor(h.clock.now().getTime() / 1000));
  const confirmedAt = async (callId: string) =>
    (
      await h.db
        .selectFrom('call_legs')
        .innerJoin('calls', 'calls.id', 'call_legs.call_id')
        .select('call_legs.confirmed_at')
        .where('calls.external_call_id', '=', callId)
        .executeTakeFirst()
    )?.confirmed_at ?? undefined;
  const sweep = () => h.host.resolve(HOST_TOKENS.UnconfirmedCalls).sweep();

  test.before(async () => {
    h = await startOrchestratorHost({ kind, extraYaml: ['calls: { unconfirmedAfterSeconds: 600 }'] });
    await putSettings(h, { wrapUpSeconds: 0 });
  });
  test.after.each(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
  });
  test.after(async () => {
    await h.stop();
  });

  test('a call whose hang-up never comes is ended as unconfirmed; the capture stops; the host says why', async () => {
    const { extension, agent } = await agentUser();
    const callId = `lost-hangup-${kind}`;
    assert.equal(await post(event('call.started', callId, extension)), 202);
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    await eventually('the leg on record', () => confirmedAt(callId));

    h.clock.advance(599_000);
    await sweep();
    assert.equal((await callRow(h, callId))?.state, 'active', 'not yet: 599 s is within the limit');

    h.clock.advance(2_000);
    await sweep();
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    const call = await eventually('the call to end', async () => {
      const row = await callRow(h, callId);
      return row?.state === 'ended' ? row : undefined;
    });
    assert.equal(call.end_reason, 'unconfirmed: no source confirmed the call for 600 s');
    const line = h.logs.find(
      (l) => l.callId === callId && String(l.msg).startsWith('call ended by the host'),
    );
    assert.ok(line, 'a System Log line names the call');
    assert.equal(line.level, 40, 'as a warning');
  });

  test('an event for the call confirms it: the limit counts from the last one', async () => {
    const { extension, agent } = await agentUser();
    const callId = `confirmed-${kind}`;
    assert.equal(await post(event('call.started', callId, extension)), 202);
    await agent.waitFor('capture.start', () => agent.starts().length === 1);
    const first = await eventually('the leg on record', () => confirmedAt(callId));
    h.clock.advance(500_000);
    // A sender repeating the start (a keep-alive) confirms the call without starting anything new.
    assert.equal(await post(event('call.started', callId, extension)), 202);
    await eventually('the confirmation', async () => {
      const at = await confirmedAt(callId);
      return at && new Date(at) > new Date(first) ? at : undefined;
    });
    h.clock.advance(200_000);
    await sweep();
    assert.equal((await callRow(h, callId))?.state, 'active', '200 s after the last confirmation');
    assert.equal(agent.stops().length, 0);
    assert.equal(agent.starts().length, 1, 'the repeated start did not start another capture');
    await post(event('call.ended', callId, extension));
    await agent.waitFor('capture.stop', () => agent.stops().length === 1);
    assert.equal((await callRow(h, callId))?.end_reason, null, 'ended by its source');
  });

  test.run();
}
