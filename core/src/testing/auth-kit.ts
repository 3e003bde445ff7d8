/**
 * Conformance kit for AuthPolicy plugins.
 *
 * Usage, from a plugin's `test/conformance.test.ts`:
 *
 * ```ts
 * import { authPolicyKit } from '@deskrec/core/testing';
 * authPolicyKit({ name: 'auth-token', create: () => new TokenAuthPolicy(options) });
 * ```
 *
 * Each test gets a fresh policy and a fresh MemoryWorkstationStore with tenant `t1` (and `t2` where needed);
 * the kit flips states and resets tokens the way the admin portal does, then checks the decisions.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import type { PluginKinds } from '../plugin/kinds.js';
import type { AuthDecision, AuthPolicy, WorkstationCredentials } from '../ports/auth-policy.js';
import { type KitSkip, skipReason } from './kit-skips.js';
import { MemoryWorkstationStore } from './memory-workstation-store.js';

export {
  MemoryWorkstationStore,
  type RecordedConflict,
  type StoredWorkstation,
} from './memory-workstation-store.js';

export const AUTH_KIT_TESTS = [
  'declared capabilities',
  'a new workstation with a valid token is pending',
  'the secret is stored only as a hash',
  'reconnect keeps the stored state',
  'forbidden stays forbidden on reconnect',
  'unknown token is rejected',
  'same id with another secret is refused and recorded',
  'token reset: the old token enrolls no new workstation',
  'token reset: enrolled workstations keep working',
  'token reset: an enrolled id with a wrong secret is not admitted',
  'tenants are isolated',
  'concurrent first connections create one record',
] as const;
export type AuthKitTest = (typeof AUTH_KIT_TESTS)[number];

export interface AuthKitOptions {
  /** Shown in the test output, e.g. `auth-token`. */
  name: string;
  /**
   * What the plugin declares: its manifest's `capabilities` (auth policies have none yet, so `{}`). The kit
   * checks that a policy reporting capabilities reports these.
   */
  capabilities: PluginKinds['auth']['capabilities'];
  /** A fresh policy; called once per test. */
  create(): AuthPolicy | Promise<AuthPolicy>;
  skip?: readonly KitSkip<AuthKitTest>[];
}

const TOKEN_1 = 'tenant-one-token-0123456789abcdef';
const TOKEN_2 = 'tenant-two-token-0123456789abcdef';

/** Credentials as a fresh agent generates them: a random id and a 256-bit random secret. */
export function newWorkstationCredentials(
  tenantToken: string,
  overrides: Partial<WorkstationCredentials> = {},
): WorkstationCredentials {
  return {
    tenantToken,
    workstationId: randomBytes(16).toString('base64url'),
    workstationSecret: randomBytes(32).toString('base64url'),
    computerName: 'PC-0042',
    domain: 'CONTOSO',
    remoteAddress: '192.0.2.10',
    ...overrides,
  };
}

function expectAdmitted(
  decision: AuthDecision,
  outcome: 'authorized' | 'pending' | 'forbidden',
  tenantId: string,
  workstationId: string,
  what: string,
): void {
  assert.deepEqual(
    decision,
    { outcome, tenantId, workstationId },
    `${what}: expected ${outcome} in ${tenantId}, got ${JSON.stringify(decision)}`,
  );
}

function expectRejected(
  decision: AuthDecision,
  reason: 'unknown-token' | 'secret-mismatch' | undefined,
  secrets: readonly string[],
  what: string,
): void {
  assert.equal(decision.outcome, 'rejected', `${what}: expected rejected, got ${JSON.stringify(decision)}`);
  if (decision.outcome !== 'rejected') return;
  if (reason) assert.equal(decision.reason, reason, `${what}: wrong reason (${decision.message})`);
  assert.ok(decision.message.length > 0, `${what}: a rejection needs a message`);
  for (const secret of secrets) {
    assert.ok(!decision.message.includes(secret), `${what}: the message must not echo a token or secret`);
  }
}

/**
 * The behaviour every AuthPolicy must show. Call it once from a plugin's test file; it registers and runs a
 * uvu suite.
 */
export function authPolicyKit(options: AuthKitOptions): void {
  const kit = suite(`auth policy kit: ${options.name}`);

  const define = (
    name: AuthKitTest,
    body: (policy: AuthPolicy, store: MemoryWorkstationStore) => Promise<void>,
  ) => {
    const reason = skipReason(options.skip, name);
    if (reason) {
      kit(`${name} (skipped: ${reason})`, () => {});
      return;
    }
    kit(name, async () => {
      const store = new MemoryWorkstationStore().addTenant('t1', TOKEN_1).addTenant('t2', TOKEN_2);
      await body(await options.create(), store);
    });
  };

  /** Enrolls a workstation through the policy and sets its state as an admin would. */
  const enroll = async (
    policy: AuthPolicy,
    store: MemoryWorkstationStore,
    state: 'authorized' | 'pending' | 'forbidden',
  ): Promise<WorkstationCredentials> => {
    const credentials = newWorkstationCredentials(TOKEN_1);
    expectAdmitted(
      await policy.decide(credentials, store),
      'pending',
      't1',
      credentials.workstationId,
      'enroll',
    );
    store.setState('t1', credentials.workstationId, state);
    return credentials;
  };

  define('declared capabilities', async (policy) => {
    const reported = (policy as { capabilities?: unknown }).capabilities ?? {};
    assert.deepEqual(
      reported,
      options.capabilities,
      'the policy reports the capabilities its plugin declares',
    );
  });

  define('a new workstation with a valid token is pending', async (policy, store) => {
    const credentials = newWorkstationCredentials(TOKEN_1);
    expectAdmitted(
      await policy.decide(credentials, store),
      'pending',
      't1',
      credentials.workstationId,
      'first hello',
    );
    const record = store.get('t1', credentials.workstationId);
    assert.ok(record, 'the policy must create the pending record');
    assert.equal(record.state, 'pending');
    assert.equal(record.computerName, credentials.computerName);
    assert.equal(record.domain, credentials.domain);
  });

  define('the secret is stored only as a hash', async (policy, store) => {
    const credentials = newWorkstationCredentials(TOKEN_1);
    await policy.decide(credentials, store);
    const record = store.get('t1', credentials.workstationId);
    assert.ok(record);
    assert.ok(record.secretHash.length >= 32, 'secretHash looks too short to be a digest');
    assert.ok(
      !record.secretHash.includes(credentials.workstationSecret),
      'the secret is stored in the clear',
    );
  });

  define('reconnect keeps the stored state', async (policy, store) => {
    const credentials = await enroll(policy, store, 'pending');
    const id = credentials.workstationId;
    expectAdmitted(await policy.decide(credentials, store), 'pending', 't1', id, 'still pending');
    store.setState('t1', id, 'authorized');
    expectAdmitted(await policy.decide(credentials, store), 'authorized', 't1', id, 'after authorize');
    assert.equal(store.list().length, 1, 'a reconnect must not create another record');
  });

  define('forbidden stays forbidden on reconnect', async (policy, store) => {
    const credentials = await enroll(policy, store, 'forbidden');
    const id = credentials.workstationId;
    for (let i = 0; i < 2; i++) {
      expectAdmitted(await policy.decide(credentials, store), 'forbidden', 't1', id, `reconnect ${i + 1}`);
    }
    assert.equal(store.get('t1', id)?.state, 'forbidden');
  });

  define('unknown token is rejected', async (policy, store) => {
    const credentials = newWorkstationCredentials('not-a-tenant-token-at-all-000000');
    expectRejected(
      await policy.decide(credentials, store),
      'unknown-token',
      [credentials.tenantToken, credentials.workstationSecret],
      'unknown token',
    );
    assert.equal(store.list().length, 0, 'nothing may be stored for an unknown token');
  });

  define('same id with another secret is refused and recorded', async (policy, store) => {
    const credentials = await enroll(policy, store, 'authorized');
    const impostor = { ...credentials, workstationSecret: randomBytes(32).toString('base64url') };
    expectRejected(
      await policy.decide(impostor, store),
      'secret-mismatch',
      [impostor.workstationSecret, credentials.workstationSecret, TOKEN_1],
      'other secret',
    );
    assert.equal(store.conflicts.length, 1, 'the conflict must be recorded with markConflict');
    assert.equal(store.conflicts[0]?.workstationId, credentials.workstationId);
    assert.equal(store.conflicts[0]?.remoteAddress, impostor.remoteAddress);
    assert.equal(
      store.get('t1', credentials.workstationId)?.state,
      'authorized',
      'the record must not change',
    );
    expectAdmitted(
      await policy.decide(credentials, store),
      'authorized',
      't1',
      credentials.workstationId,
      'the real workstation afterwards',
    );
  });

  define('token reset: the old token enrolls no new workstation', async (policy, store) => {
    store.resetToken('t1', 'tenant-one-token-after-reset-0000');
    const stale = newWorkstationCredentials(TOKEN_1);
    expectRejected(
      await policy.decide(stale, store),
      'unknown-token',
      [TOKEN_1],
      'old token, new workstation',
    );
    assert.equal(store.list().length, 0);
    const fresh = newWorkstationCredentials('tenant-one-token-after-reset-0000');
    expectAdmitted(await policy.decide(fresh, store), 'pending', 't1', fresh.workstationId, 'new token');
  });

  define('token reset: enrolled workstations keep working', async (policy, store) => {
    const authorized = await enroll(policy, store, 'authorized');
    const pending = await enroll(policy, store, 'pending');
    const forbidden = await enroll(policy, store, 'forbidden');
    store.resetToken('t1', 'tenant-one-token-after-reset-0000');
    expectAdmitted(
      await policy.decide(authorized, store),
      'authorized',
      't1',
      authorized.workstationId,
      'authorized',
    );
    expectAdmitted(await policy.decide(pending, store), 'pending', 't1', pending.workstationId, 'pending');
    expectAdmitted(
      await policy.decide(forbidden, store),
      'forbidden',
      't1',
      forbidden.workstationId,
      'forbidden',
    );
    const renewed = { ...authorized, tenantToken: 'tenant-one-token-after-reset-0000' };
    expectAdmitted(
      await policy.decide(renewed, store),
      'authorized',
      't1',
      authorized.workstationId,
      'new token',
    );
    assert.equal(store.list().length, 3);
  });

  define('token reset: an enrolled id with a wrong secret is not admitted', async (policy, store) => {
    const enrolled = await enroll(policy, store, 'authorized');
    store.resetToken('t1', 'tenant-one-token-after-reset-0000');
    const impostor = { ...enrolled, workstationSecret: randomBytes(32).toString('base64url') };
    expectRejected(await policy.decide(impostor, store), undefined, [impostor.workstationSecret], 'impostor');
    assert.equal(store.get('t1', enrolled.workstationId)?.state, 'authorized');
  });

  define('tenants are isolated', async (policy, store) => {
    const enrolled = await enroll(policy, store, 'authorized');
    const elsewhere = { ...enrolled, tenantToken: TOKEN_2 };
    expectAdmitted(
      await policy.decide(elsewhere, store),
      'pending',
      't2',
      enrolled.workstationId,
      "another tenant's token never yields the first tenant's record",
    );
    assert.equal(store.get('t1', enrolled.workstationId)?.state, 'authorized');
    assert.equal(store.get('t2', enrolled.workstationId)?.state, 'pending');
  });

  define('concurrent first connections create one record', async (policy, store) => {
    const credentials = newWorkstationCredentials(TOKEN_1);
    const impostor = { ...credentials, workstationSecret: randomBytes(32).toString('base64url') };
    const [a, b, c] = await Promise.all([
      policy.decide(credentials, store),
      policy.decide(credentials, store),
      policy.decide(impostor, store),
    ]);
    const id = credentials.workstationId;
    assert.equal(store.list().length, 1, 'exactly one record');
    const stored = store.get('t1', id);
    assert.ok(stored);
    // Whichever secret won the race owns the id; the other is refused.
    const outcomes = [a, b, c].map((d) => d.outcome).sort();
    const impostorWon = c.outcome === 'pending';
    if (impostorWon) {
      assert.deepEqual(outcomes, ['pending', 'rejected', 'rejected'], JSON.stringify([a, b, c]));
    } else {
      expectAdmitted(a, 'pending', 't1', id, 'first');
      expectAdmitted(b, 'pending', 't1', id, 'second');
      expectRejected(c, 'secret-mismatch', [impostor.workstationSecret], 'impostor');
    }
  });

  kit.run();
}
