/**
 * Asterisk 11 and older speak AMI 1.x: bridges are `Bridge`/`Link` events and there is no BridgeEnter. The
 * AMI 2 tracker sees no calls there; `legacyMode` switches to the legacy tracker. Without it the source says so
 * loudly instead of reporting a healthy connection that never produces a call (ADR 0009).
 */
export function amiVersion(banner: string): string | undefined {
  return /Asterisk Call Manager\/(\d+\.\d+)/i.exec(banner)?.[1];
}

export const isLegacyVersion = (version: string | undefined): boolean =>
  version !== undefined && Number(version.split('.')[0]) < 2;

/** The health warning and log line for an AMI 1.x server while `legacyMode` is off. */
export function legacyWarning(version: string | undefined, evidence?: string): string {
  const what = version ? `AMI ${version}` : `AMI 1.x (it sent a ${evidence} event)`;
  return `this Asterisk speaks ${what}; upgrade or enable legacy mode (option legacyMode): without it no calls are reported`;
}
