import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import { isStorageError, type StorageErrorCode } from '../ports/storage-error.js';
import type { StorageCapabilities, StorageTarget } from '../ports/storage-target.js';
import { fitKey, limitsOf } from '../util/fit-key.js';
import { bytesOf, digestOf, failingStream, generatedBytes, peakRssGrowth, sha256Hex } from './byte-source.js';
import { type KitSkip, skipReason } from './kit-skips.js';

export const STORAGE_KIT_TESTS = [
  'declared capabilities',
  'round trip',
  'announced size and sha256 are verified',
  'empty object',
  'large object is streamed',
  'ranged reads',
  'missing key',
  'overwrite',
  'conditional create',
  'nested keys and unusual characters',
  'declared key limits',
  'invalid keys are refused',
  'concurrent writes to different keys',
  'failed stream leaves no object',
  'aborted transfers',
  'atomic visibility',
  'list by prefix',
  'delete is idempotent',
  'check',
] as const;
export type StorageKitTest = (typeof STORAGE_KIT_TESTS)[number];

export interface StorageKitOptions {
  /** Shown in the test output, e.g. `storage-s3 (s3rver)`. */
  name: string;
  /**
   * What the plugin declares: its manifest's `capabilities`. The kit checks that a target reports the same
   * flags and claims none the manifest does not declare (options may turn a declared one off); the host
   * reads the target's own flags.
   */
  capabilities: StorageCapabilities;
  /** Returns a target whose root is empty. Called once per test. */
  create(): Promise<StorageTarget>;
  /** Called after each test with the target create() returned (close() is called by the kit first). */
  cleanup?(target: StorageTarget): Promise<void>;
  /** Size of the streaming test object; default 200 MiB. */
  largeObjectBytes?: number;
  /** Largest resident-memory growth accepted while streaming it; default half the object's size. */
  maxRssGrowthBytes?: number;
  skip?: readonly KitSkip<StorageKitTest>[];
}

const MiB = 1024 * 1024;

async function rejectsWith(
  code: StorageErrorCode,
  work: () => Promise<unknown>,
  what: string,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    assert.ok(isStorageError(error), `${what}: expected a StorageError, got ${String(error)}`);
    assert.equal(
      error.code,
      code,
      `${what}: expected code "${code}", got "${error.code}" (${error.message})`,
    );
    return;
  }
  assert.fail(`${what}: expected a StorageError "${code}", but it succeeded`);
}

async function read(
  target: StorageTarget,
  key: string,
  range?: { start: number; end?: number },
): Promise<Buffer> {
  const result = await target.get(key, range ? { range } : {});
  return bytesOf(result.body);
}

async function keysUnder(target: StorageTarget, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of target.list(prefix)) keys.push(info.key);
  return keys.sort();
}

/**
 * The behaviour every StorageTarget must show. Call it once from a plugin's test file; it registers and
 * runs a uvu suite. Tests that depend on a capability run when it is declared and otherwise check that the
 * target refuses the feature with `unsupported`, so a declared flag is always honest.
 */
export function storageTargetKit(options: StorageKitOptions): void {
  const kit = suite(`storage kit: ${options.name}`);
  const largeSize = options.largeObjectBytes ?? 200 * MiB;
  const maxGrowth = options.maxRssGrowthBytes ?? largeSize / 2;

  const define = (name: StorageKitTest, body: (target: StorageTarget) => Promise<void>) => {
    const reason = skipReason(options.skip, name);
    if (reason) {
      kit.skip(`${name} (skipped: ${reason})`, () => {});
      return;
    }
    kit(name, async () => {
      const target = await options.create();
      try {
        await body(target);
      } finally {
        await target.close().catch(() => undefined);
        await options.cleanup?.(target);
      }
    });
  };

  define('declared capabilities', async (t) => {
    assert.deepEqual(
      Object.keys(t.capabilities).sort(),
      Object.keys(options.capabilities).sort(),
      'the target reports the same capability flags as its plugin',
    );
    // Options may turn a declared feature off (an S3 server without conditional writes), never one on.
    for (const [flag, declared] of Object.entries(options.capabilities)) {
      const reported = t.capabilities[flag as keyof StorageCapabilities];
      assert.equal(typeof reported, 'boolean', `capabilities.${flag} is a boolean`);
      assert.ok(declared || !reported, `the target reports ${flag}, which its plugin does not declare`);
    }
  });

  define('round trip', async (t) => {
    const data = Buffer.from('deskrec round trip \u00e9\u6f22\n'.repeat(1000));
    const put = await t.put('roundtrip/a.bin', Readable.from([data]));
    assert.equal(put.key, 'roundtrip/a.bin');
    assert.equal(put.size, data.length);
    assert.equal(put.sha256, sha256Hex(data));
    assert.deepEqual(await read(t, 'roundtrip/a.bin'), data);
    const info = await t.stat('roundtrip/a.bin');
    assert.equal(info?.size, data.length);
    assert.equal(info?.key, 'roundtrip/a.bin');
  });

  define('announced size and sha256 are verified', async (t) => {
    const data = Buffer.from('integrity');
    await rejectsWith(
      'integrity',
      () =>
        t.put('integrity/sha.bin', Readable.from([data]), {
          sha256: '0'.repeat(64),
        }),
      'wrong sha256',
    );
    assert.equal(await t.stat('integrity/sha.bin'), undefined, 'nothing may remain after a sha256 mismatch');
    await rejectsWith(
      'integrity',
      () =>
        t.put('integrity/size.bin', Readable.from([data]), {
          size: data.length + 1,
        }),
      'wrong size',
    );
    assert.equal(await t.stat('integrity/size.bin'), undefined, 'nothing may remain after a size mismatch');
    const ok = await t.put('integrity/ok.bin', Readable.from([data]), {
      size: data.length,
      sha256: sha256Hex(data),
    });
    assert.equal(ok.size, data.length);
  });

  define('empty object', async (t) => {
    const put = await t.put('empty/zero.bin', Readable.from([]));
    assert.equal(put.size, 0);
    assert.equal(put.sha256, sha256Hex(''));
    assert.equal((await t.stat('empty/zero.bin'))?.size, 0);
    assert.equal((await read(t, 'empty/zero.bin')).length, 0);
  });

  define('large object is streamed', async (t) => {
    const source = generatedBytes(largeSize);
    const { result: put, growth: putGrowth } = await peakRssGrowth(() =>
      t.put('large/object.bin', source.stream(), {
        size: largeSize,
        sha256: source.sha256,
      }),
    );
    assert.equal(put.size, largeSize);
    assert.equal(put.sha256, source.sha256);
    assert.ok(
      putGrowth < maxGrowth,
      `put grew resident memory by ${(putGrowth / MiB).toFixed(1)} MiB (limit ${maxGrowth / MiB} MiB)`,
    );
    const { result: got, growth: getGrowth } = await peakRssGrowth(async () =>
      digestOf((await t.get('large/object.bin')).body),
    );
    assert.equal(got.size, largeSize);
    assert.equal(got.sha256, source.sha256);
    assert.ok(
      getGrowth < maxGrowth,
      `get grew resident memory by ${(getGrowth / MiB).toFixed(1)} MiB (limit ${maxGrowth / MiB} MiB)`,
    );
  });

  define('ranged reads', async (t) => {
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    await t.put('range/r.bin', Readable.from([data]));
    if (!t.capabilities.rangeRead) {
      await rejectsWith(
        'unsupported',
        () => t.get('range/r.bin', { range: { start: 1, end: 2 } }),
        'range without rangeRead',
      );
      return;
    }
    assert.deepEqual(await read(t, 'range/r.bin', { start: 0, end: 0 }), data.subarray(0, 1), 'first byte');
    assert.deepEqual(
      await read(t, 'range/r.bin', { start: 1000, end: 2999 }),
      data.subarray(1000, 3000),
      'middle',
    );
    assert.deepEqual(
      await read(t, 'range/r.bin', { start: 4095, end: 4095 }),
      data.subarray(4095),
      'last byte',
    );
    assert.deepEqual(await read(t, 'range/r.bin', { start: 4000 }), data.subarray(4000), 'open-ended');
    const clamped = await t.get('range/r.bin', {
      range: { start: 4090, end: 99999 },
    });
    assert.deepEqual(clamped.range, { start: 4090, end: 4095 }, 'end past the object is clamped');
    assert.equal(clamped.size, 4096);
    assert.deepEqual(await bytesOf(clamped.body), data.subarray(4090));
    await rejectsWith(
      'invalid-range',
      () => t.get('range/r.bin', { range: { start: 4096 } }),
      'range past the end',
    );
  });

  define('missing key', async (t) => {
    await rejectsWith('not-found', () => t.get('missing/nothing.bin'), 'get of a missing key');
    assert.equal(await t.stat('missing/nothing.bin'), undefined);
  });

  define('overwrite', async (t) => {
    await t.put('overwrite/o.bin', Readable.from([Buffer.from('first version, longer')]));
    await t.put('overwrite/o.bin', Readable.from([Buffer.from('second')]));
    assert.equal((await read(t, 'overwrite/o.bin')).toString(), 'second');
    assert.equal((await t.stat('overwrite/o.bin'))?.size, 6);
  });

  define('conditional create', async (t) => {
    if (!t.capabilities.conditionalCreate) {
      await rejectsWith(
        'unsupported',
        () =>
          t.put('cond/c.bin', Readable.from([Buffer.from('x')]), {
            ifNotExists: true,
          }),
        'ifNotExists without conditionalCreate',
      );
      return;
    }
    await t.put('cond/c.bin', Readable.from([Buffer.from('original')]), {
      ifNotExists: true,
    });
    await rejectsWith(
      'already-exists',
      () =>
        t.put('cond/c.bin', Readable.from([Buffer.from('intruder')]), {
          ifNotExists: true,
        }),
      'second conditional create',
    );
    assert.equal((await read(t, 'cond/c.bin')).toString(), 'original');
  });

  define('nested keys and unusual characters', async (t) => {
    const keys = [
      'n/2024/01/02/deep/er/file.mp4',
      'n/spaces and + plus & amp.mp4',
      'n/percent%20not-decoded.mp4',
      'n/unicode-\u00e9\u00fc\u00df-\u6f22\u5b57-\ud83d\udcde.mp4',
      'n/hash#and?query=1.mp4',
      "n/quote's (paren) [bracket] {brace}.mp4",
      'n/.hidden',
      'n/name.with.many.dots',
    ];
    for (const [i, key] of keys.entries()) await t.put(key, Readable.from([Buffer.from(`v${i}`)]));
    for (const [i, key] of keys.entries()) assert.equal((await read(t, key)).toString(), `v${i}`, key);
    assert.deepEqual(await keysUnder(t, 'n/'), [...keys].sort());
  });

  define('declared key limits', async (t) => {
    const limits = limitsOf(t);
    // Folders of the longest name allowed, then a file name taking the rest: exactly maxKeyBytes.
    const names: string[] = [];
    let left = limits.maxKeyBytes - 'lim/'.length;
    while (left > limits.maxSegmentBytes + 1) {
      names.push(`${names.length}`.padEnd(limits.maxSegmentBytes, 'd'));
      left -= limits.maxSegmentBytes + 1;
    }
    names.push('f'.repeat(left));
    const atLimit = `lim/${names.join('/')}`;
    assert.equal(Buffer.byteLength(atLimit), limits.maxKeyBytes);
    await t.put(atLimit, Readable.from([Buffer.from('at the limit')]));
    assert.equal((await read(t, atLimit)).toString(), 'at the limit', 'a key exactly at maxKeyBytes');
    // A key far past both limits, shortened by core's fitKey, is stored and listed under its new name.
    const long = `lim/${'\u00e9'.repeat(400)}/${'call-'.repeat(300)}.mp4`;
    const fitted = fitKey(long, limits);
    assert.ok(fitted.endsWith('.mp4'), `the extension stays: ${fitted}`);
    await t.put(fitted, Readable.from([Buffer.from('shortened')]));
    assert.equal((await read(t, fitted)).toString(), 'shortened');
    assert.deepEqual(await keysUnder(t, 'lim/'), [atLimit, fitted].sort());
  });

  define('invalid keys are refused', async (t) => {
    for (const key of [
      '../escape.bin',
      'a/../../b.bin',
      '/absolute.bin',
      'a//b.bin',
      'a\\b.bin',
      'C:/x.bin',
      '',
      'a/./b',
      'nul\u0000byte',
    ]) {
      await rejectsWith(
        'invalid-key',
        () => t.put(key, Readable.from([Buffer.from('x')])),
        `put ${JSON.stringify(key)}`,
      );
      await rejectsWith('invalid-key', () => t.get(key), `get ${JSON.stringify(key)}`);
    }
  });

  define('concurrent writes to different keys', async (t) => {
    const sources = Array.from({ length: 8 }, () => generatedBytes(MiB + 12345));
    const puts = await Promise.all(sources.map((s, i) => t.put(`concurrent/${i}.bin`, s.stream())));
    for (const [i, put] of puts.entries()) assert.equal(put.sha256, sources[i]!.sha256);
    for (const [i, s] of sources.entries()) {
      assert.equal(
        (await digestOf((await t.get(`concurrent/${i}.bin`)).body)).sha256,
        s.sha256,
        `object ${i}`,
      );
    }
  });

  define('failed stream leaves no object', async (t) => {
    try {
      await t.put('failed/partial.bin', failingStream(3 * MiB));
      assert.fail('put of a failing stream must reject');
    } catch (error) {
      assert.ok(isStorageError(error), `expected a StorageError, got ${String(error)}`);
    }
    assert.equal(await t.stat('failed/partial.bin'), undefined, 'no object at the final key');
    assert.deepEqual(await keysUnder(t, 'failed/'), [], 'no temporary object listed');
    await t.put('failed/partial.bin', Readable.from([Buffer.from('retry works')]));
    assert.equal((await read(t, 'failed/partial.bin')).toString(), 'retry works');
  });

  define('aborted transfers', async (t) => {
    const early = new AbortController();
    early.abort();
    await rejectsWith(
      'aborted',
      () => t.put('abort/early.bin', Readable.from([Buffer.from('x')]), { signal: early.signal }),
      'put with an aborted signal',
    );
    const midway = new AbortController();
    async function* stalled() {
      yield Buffer.alloc(MiB, 1);
      midway.abort();
      await new Promise(() => {});
    }
    await rejectsWith(
      'aborted',
      () => t.put('abort/midway.bin', stalled(), { signal: midway.signal }),
      'put aborted midway',
    );
    assert.deepEqual(
      await keysUnder(t, 'abort/'),
      [],
      'no object and no temporary object after aborted puts',
    );

    const source = generatedBytes(4 * MiB);
    await t.put('abort/object.bin', source.stream());
    const reading = new AbortController();
    const { body } = await t.get('abort/object.bin', { signal: reading.signal });
    await rejectsWith(
      'aborted',
      async () => {
        for await (const _ of body) reading.abort();
      },
      'get aborted midway',
    );
    // An abort must release what the transfer held (a connection, a handle): the target keeps working.
    for (let i = 0; i < 4; i++) {
      const again = new AbortController();
      const { body: next } = await t.get('abort/object.bin', { signal: again.signal });
      next.once('data', () => again.abort());
      await bytesOf(next).catch(() => undefined);
    }
    assert.equal((await digestOf((await t.get('abort/object.bin')).body)).sha256, source.sha256);
  });

  define('atomic visibility', async (t) => {
    if (!t.capabilities.atomicRename) return;
    await t.put('atomic/a.bin', Readable.from([Buffer.from('old')]));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow() {
      yield Buffer.alloc(256 * 1024, 1);
      await gate;
      yield Buffer.alloc(256 * 1024, 2);
    }
    const writing = t.put('atomic/a.bin', slow());
    const writingNew = t.put(
      'atomic/new.bin',
      (async function* () {
        yield Buffer.from('x');
        await gate;
      })(),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      (await read(t, 'atomic/a.bin')).toString(),
      'old',
      'old content stays readable during overwrite',
    );
    assert.equal(await t.stat('atomic/new.bin'), undefined, 'a new object is invisible until complete');
    release();
    await Promise.all([writing, writingNew]);
    assert.equal((await t.stat('atomic/a.bin'))?.size, 512 * 1024);
    assert.equal((await t.stat('atomic/new.bin'))?.size, 1);
  });

  define('list by prefix', async (t) => {
    for (const key of ['l/2024/a.mp4', 'l/2024/b.mp4', 'l/2025/c.mp4', 'l/20240/d.mp4', 'other/e.mp4']) {
      await t.put(key, Readable.from([Buffer.from(key)]));
    }
    assert.deepEqual(await keysUnder(t, 'l/2024/'), ['l/2024/a.mp4', 'l/2024/b.mp4']);
    assert.deepEqual(await keysUnder(t, 'l/2024'), ['l/2024/a.mp4', 'l/2024/b.mp4', 'l/20240/d.mp4']);
    assert.deepEqual(await keysUnder(t, 'l/'), [
      'l/2024/a.mp4',
      'l/2024/b.mp4',
      'l/20240/d.mp4',
      'l/2025/c.mp4',
    ]);
    assert.deepEqual(await keysUnder(t, 'nothing/'), []);
    const sizes = [];
    for await (const info of t.list('l/2025/')) sizes.push(info.size);
    assert.deepEqual(sizes, ['l/2025/c.mp4'.length]);
  });

  define('delete is idempotent', async (t) => {
    await t.put('del/d.bin', Readable.from([Buffer.from('bye')]));
    await t.delete('del/d.bin');
    assert.equal(await t.stat('del/d.bin'), undefined);
    await t.delete('del/d.bin');
    await t.delete('del/never-existed.bin');
    await rejectsWith('not-found', () => t.get('del/d.bin'), 'get after delete');
  });

  define('check', async (t) => {
    const result = await t.check();
    assert.equal(result.ok, true, `check() failed: ${result.message}`);
    assert.ok(result.message.length > 0 && !result.message.includes('\n'), 'check() message is one line');
  });

  kit.run();
}
