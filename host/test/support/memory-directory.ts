import { type CaptureSettings, CaptureSettingsSchema, type WorkstationState } from '@deskrec/core';
import { MemoryWorkstationStore } from '@deskrec/core/testing';
import type { WorkstationDirectory, WorkstationPresence } from '../../src/workstations/ports.js';

/**
 * An in-memory WorkstationDirectory for controller tests and benchmarks: core's MemoryWorkstationStore plus
 * the presence log the controller writes. The kysely one lives in src/db.
 */
export class MemoryWorkstationDirectory extends MemoryWorkstationStore implements WorkstationDirectory {
  readonly connected: WorkstationPresence[] = [];
  readonly logins: { tenantId: string; workstationId: string; login: string | null }[] = [];
  readonly seen: { tenantId: string; workstationId: string }[] = [];
  readonly disconnected: { tenantId: string; workstationId: string }[] = [];
  settings: CaptureSettings = CaptureSettingsSchema.parse({});
  uploadUrl = 'http://127.0.0.1:8080/uploads';

  async recordConnected(presence: WorkstationPresence): Promise<void> {
    this.connected.push(presence);
  }

  async recordLogin(tenantId: string, workstationId: string, login: string | null): Promise<void> {
    this.logins.push({ tenantId, workstationId, login });
  }

  async recordSeen(tenantId: string, workstationId: string): Promise<void> {
    this.seen.push({ tenantId, workstationId });
  }

  async recordDisconnected(tenantId: string, workstationId: string): Promise<void> {
    this.disconnected.push({ tenantId, workstationId });
  }

  async stateOf(tenantId: string, workstationId: string): Promise<WorkstationState | undefined> {
    return this.get(tenantId, workstationId)?.state;
  }

  async countPending(tenantId: string): Promise<number> {
    return this.list().filter((w) => w.tenantId === tenantId && w.state === 'pending').length;
  }

  async captureSettings(): Promise<{ settings: CaptureSettings; uploadUrl: string }> {
    return { settings: this.settings, uploadUrl: this.uploadUrl };
  }
}
