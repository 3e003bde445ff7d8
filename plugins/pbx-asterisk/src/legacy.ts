/**
 * Asterisk 11 and older speak AMI 1.x: bridges are `Bridge`/`Link` events and there is no BridgeEnter, so
 * this source (built for AMI 2+, Asterisk 12 and later) would see no calls at all. It says so loudly instead
 * of reporting a healthy connection that never produces a call (ADR 0009).
 */
export function legacyWarning(bannerOrEvent: string): string | undefined {
  const banner = /Asterisk Call Manager\/(\d+)\.(\d+)/i.exec(bannerOrEvent);
  if (banner) {
    if (Number(banner[1]) >= 2) return undefined;
    return `this Asterisk speaks AMI ${banner[1]}.${banner[2]}; upgrade to Asterisk 12 or later (AMI 2): legacy AMI 1.x events (Dial, Bridge, Link, Masquerade) are not mapped, so no calls are reported`;
  }
  if (bannerOrEvent.startsWith('legacy ')) {
    return `this Asterisk speaks AMI 1.x (it sent a ${bannerOrEvent.slice('legacy '.length)} event); upgrade to Asterisk 12 or later (AMI 2): legacy events are not mapped, so no calls are reported`;
  }
  return undefined;
}
