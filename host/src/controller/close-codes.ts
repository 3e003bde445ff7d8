/**
 * WebSocket close codes the controller uses (4000–4999 is the application range). Agents read them to pick
 * their retry behaviour: 4401/4403/4426 mean "do not retry soon with the same input", 4409/4410 reconnect.
 */
export const CLOSE = {
  /** Host shutting down: reconnect (maybe to the secondary controller). */
  goingAway: 1001,
  internalError: 1011,
  /** First message was not a valid hello, or too many invalid messages. */
  badRequest: 4400,
  /** The auth policy rejected the credentials. */
  rejected: 4401,
  /** The workstation is forbidden by an admin. */
  forbidden: 4403,
  /** No hello within the hello timeout. */
  helloTimeout: 4408,
  /** A newer connection of the same workstation took over. */
  replaced: 4409,
  /** The admin deleted the workstation; a reconnect enrolls it again as pending. */
  deleted: 4410,
  /** An enrollment limit (rate per tenant token, pending workstations) refused a new workstation: retry later. */
  tooMany: 4429,
  /** The workstation's tenant is suspended (or deleted) by the service provider: retry much later. */
  tenantSuspended: 4423,
  /** The agent speaks another protocol version. */
  protocolVersion: 4426,
} as const;
