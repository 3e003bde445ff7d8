/**
 * startTestHost from a plugin author's side: a plugin definition goes in, a real host (the workspace's
 * @deskrec/host, loaded by the harness's dynamic import) runs it, and the test drives it through HTTP.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { CallEventSchema } from '../src/domain/call-event.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import type { CallEventSink, SourceHealth } from '../src/ports/call-event-source.js';
import { MemoryStorageTarget } from '../src/testing/memory-storage.js';
import { startTestHost, type TestHost } from '../src/testing/test-host.js';

const memoryStorage = definePlugin({
  id: 'storage-scratch',
  kind: 'storage',
  version: '0.0.1',
  apiVersion: '^1.0.0',
  title: 'Scratch memory',
  options: z.object({ label: z.string().min(3).describe('Shown in the check message') }),
  capabilities: { atomicRename: true, rangeRead: true, conditionalCreate: true, serverChecksum: false },
  create: (options) => {
    const target = new MemoryStorageTarget();
    return Object.assign(target, {
      check: async () => ({ ok: true, message: `scratch "${options.label}" answers` }),
    });
  },
});

/** A JSON-over-HTTP source: the host mounts it under /hooks/<id>. */
const jsonHook = definePlugin({
  id: 'pbx-json-hook',
  kind: 'call-events',
  version: '0.0.1',
  apiVersion: '^1.0.0',
  title: 'JSON hook',
  options: z.object({}),
  capabilities: { http: true, persistentConnection: false },
  create: () => {
    let sink: CallEventSink | undefined;
    const health: SourceHealth = { state: 'starting', reconnects: 0 };
    return {
      capabilities: { http: true, persistentConnection: false },
      async start(next) {
        sink = next;
        health.state = 'connected';
      },
      async stop() {
        sink = undefined;
        health.state = 'stopped';
      },
      health: () => health,
      async handleHttp(request) {
        const parsed = CallEventSchema.safeParse(await request.json().catch(() => undefined));
        if (!parsed.success || !sink) return new Response('bad event', { status: 400 });
        sink.event(parsed.data);
        return new Response(null, { status: 202 });
      },
    };
  },
});

const storage = suite<{ h: TestHost }>('startTestHost: a storage plugin');
storage.before(async (ctx) => {
  ctx.h = await startTestHost({ plugin: memoryStorage, options: { label: 'for tests' } });
});
storage.after(async (ctx) => ctx.h?.stop());

storage('the host offers the plugin as a storage kind, with its options schema', async ({ h }) => {
  assert.is(h.kind, 'storage');
  assert.is(h.instanceId, 'scratch');
  const kinds = await h.api('GET', '/api/storage-kinds');
  assert.is(kinds.status, 200);
  const mine = kinds.body.items.find((k: { kind: string }) => k.kind === 'scratch');
  assert.ok(mine, JSON.stringify(kinds.body));
  assert.ok(mine.optionsSchema.properties.label);
});

storage('Test connection through the admin API runs the plugin’s check()', async ({ h }) => {
  assert.type(h.storageTargetId, 'string');
  const check = await h.api('POST', `/api/storage-targets/${h.storageTargetId}/test`);
  assert.is(check.status, 200);
  assert.is(check.body.ok, true, check.body.message);
  assert.match(check.body.message, 'scratch "for tests" answers');
});

storage('the host validates options with the plugin’s schema', async ({ h }) => {
  const bad = await h.api('POST', '/api/storage-targets', {
    name: 'Too short',
    kind: 'scratch',
    options: { label: 'x' },
  });
  assert.is(bad.status, 400, JSON.stringify(bad.body));
  assert.match(JSON.stringify(bad.body), 'label');
});

storage('credentials, URL and controller port are real', async ({ h }) => {
  assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(h.controllerPort > 0);
  assert.ok(h.tenantToken.length >= 20);
  const login = await fetch(`${h.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: h.admin.username, password: h.admin.password, tenant: 'default' }),
  });
  assert.is(login.status, 200);
  await login.body?.cancel();
});
storage.run();

const calls = suite<{ h: TestHost }>('startTestHost: a call-event source');
calls.before(async (ctx) => {
  ctx.h = await startTestHost({ plugin: jsonHook, id: 'crm' });
});
calls.after(async (ctx) => ctx.h?.stop());

calls('an event posted to /hooks/<id> reaches the orchestrator, which logs its decision', async ({ h }) => {
  const event = {
    type: 'call.started',
    callId: 'harness-call-1',
    at: new Date().toISOString(),
    direction: 'inbound',
    agent: { by: 'extension', value: '4711' },
  };
  const posted = await fetch(`${h.url}/hooks/crm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  assert.is(posted.status, 202);
  let decision: { msg: string } | undefined;
  for (let i = 0; i < 100 && !decision; i++) {
    const log = await h.api('GET', '/api/system-log?level=info&limit=500');
    decision = log.body.items.find(
      (line: { fields: Record<string, unknown> }) => line.fields.callId === 'harness-call-1',
    );
    if (!decision) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(decision, 'the orchestrator logged a decision on the call');
  assert.match(decision.msg, 'harness-call-1');
});

calls('a body the plugin refuses is answered by the plugin', async ({ h }) => {
  const posted = await fetch(`${h.url}/hooks/crm`, { method: 'POST', body: '{"type":"nope"}' });
  assert.is(posted.status, 400);
  await posted.body?.cancel();
});
calls.run();

const refusals = suite('startTestHost: refusals');
refusals('capture plugins are agent-side and refused with the reason', async () => {
  const capture = definePlugin({
    id: 'capture-none',
    kind: 'capture',
    version: '0.0.1',
    apiVersion: '^1.0.0',
    title: 'None',
    options: z.object({}),
    capabilities: { multiMonitor: false, inputs: [] },
    create: () => {
      throw new Error('never created: the harness refuses capture plugins first');
    },
  });
  try {
    await startTestHost({ plugin: capture });
    assert.unreachable('a capture plugin must be refused');
  } catch (error) {
    assert.match((error as Error).message, 'captureBackendKit');
  }
});
refusals.run();
