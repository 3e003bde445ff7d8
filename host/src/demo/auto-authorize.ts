import type { Host } from '../app/create-host.js';

/**
 * Demo only: authorizes the pending workstation with the demo's computer name as soon as it appears, the
 * way the API's authorize action does (stored state, then the controller pushes it to the connected agent).
 */
export function autoAuthorize(host: Host, tenantId: string, computerName: string): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    (async () => {
      const { repos, logging } = host.services();
      const pending = await repos.workstations.list(tenantId, { state: 'pending', search: computerName });
      const ids = pending.items.filter((w) => w.computerName === computerName).map((w) => w.id);
      for (const id of await repos.workstations.setState(tenantId, ids, 'authorized')) {
        host.runtime().controller.pushAuthorization(tenantId, id, 'authorized');
        logging.logger.info({ workstationId: id }, 'Demo workstation authorized');
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 500);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
