import type { AgentConnection } from './agent-connection.js';

/** The current connection of each admitted workstation, by tenant. */
export class ConnectionRegistry {
  private readonly tenants = new Map<string, Map<string, AgentConnection>>();

  get(tenantId: string, workstationId: string): AgentConnection | undefined {
    return this.tenants.get(tenantId)?.get(workstationId);
  }

  /** Makes `connection` current for its workstation; returns the connection it replaces, if any. */
  set(connection: AgentConnection): AgentConnection | undefined {
    let workstations = this.tenants.get(connection.tenantId);
    if (!workstations) {
      workstations = new Map();
      this.tenants.set(connection.tenantId, workstations);
    }
    const previous = workstations.get(connection.workstationId);
    workstations.set(connection.workstationId, connection);
    return previous === connection ? undefined : previous;
  }

  /** Removes `connection` if it is still current; false when a newer one replaced it. */
  remove(connection: AgentConnection): boolean {
    const workstations = this.tenants.get(connection.tenantId);
    if (workstations?.get(connection.workstationId) !== connection) return false;
    workstations.delete(connection.workstationId);
    if (workstations.size === 0) this.tenants.delete(connection.tenantId);
    return true;
  }

  ofTenant(tenantId: string): Iterable<AgentConnection> {
    return this.tenants.get(tenantId)?.values() ?? [];
  }
}
