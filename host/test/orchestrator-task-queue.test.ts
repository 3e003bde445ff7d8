import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { TaskQueue } from '../src/orchestrator/task-queue.js';

const test = suite('orchestrator task queue');

/** A task that records when it starts and finishes only when released. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release: () => release(),
    work: async () => {
      log.push(`${name} start`);
      await released;
      log.push(`${name} end`);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('tasks sharing a key run in order; tasks on other keys run alongside', async () => {
  const queue = new TaskQueue();
  const log: string[] = [];
  const a1 = gate(log, 'a1');
  const a2 = gate(log, 'a2');
  const b1 = gate(log, 'b1');
  const runs = [queue.run(['a'], a1.work), queue.run(['a', 'x'], a2.work), queue.run(['b'], b1.work)];
  await tick();
  assert.deepEqual(log, ['a1 start', 'b1 start'], 'b1 does not wait for a1; a2 does');
  a1.release();
  await tick();
  assert.deepEqual(log.slice(2), ['a1 end', 'a2 start']);
  a2.release();
  b1.release();
  await Promise.all(runs);
});

test('a task without keys waits for everything before it, and everything after waits for it', async () => {
  const queue = new TaskQueue();
  const log: string[] = [];
  const a = gate(log, 'a');
  const all = gate(log, 'all');
  const b = gate(log, 'b');
  const runs = [queue.run(['a'], a.work), queue.run(undefined, all.work), queue.run(['b'], b.work)];
  await tick();
  assert.deepEqual(log, ['a start']);
  a.release();
  await tick();
  assert.deepEqual(log, ['a start', 'a end', 'all start']);
  all.release();
  await tick();
  assert.deepEqual(log.slice(3), ['all end', 'b start']);
  b.release();
  await Promise.all(runs);
});

test('isClear names what queued tasks may still change; tasks that only write down do not hold', async () => {
  const queue = new TaskQueue();
  const log: string[] = [];
  const holding = gate(log, 'holding');
  const writing = gate(log, 'writing');
  const runs = [queue.run(['ws1'], holding.work), queue.run(['ws2'], writing.work, { holds: false })];
  assert.equal(queue.isClear(['ws1']), false);
  assert.equal(queue.isClear(['ws2']), true);
  const opaque = gate(log, 'opaque');
  runs.push(queue.run(undefined, opaque.work));
  assert.equal(queue.isClear(['ws3']), false, 'a keyless task holds everything');
  holding.release();
  writing.release();
  opaque.release();
  await Promise.all(runs);
  assert.equal(queue.isClear(['ws1', 'ws2', 'ws3']), true);
});

test('a failing task rejects its own promise only', async () => {
  const queue = new TaskQueue();
  const failed = queue.run(['a'], async () => {
    throw new Error('boom');
  });
  const next = queue.run(['a'], async () => 'ran');
  await assert.rejects(failed, /boom/);
  assert.equal(await next, 'ran');
  assert.equal(queue.isClear(['a']), true);
});

test.run();
