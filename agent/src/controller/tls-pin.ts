import fs from 'node:fs';
import path from 'node:path';
import type { PeerCertificate } from 'node:tls';

/**
 * Trust for the controller's certificate: a configured CA, a configured fingerprint, or else the
 * fingerprint seen on first contact, remembered in the data folder and required from then on.
 */
export class CertificatePin {
  private pinned: string | undefined;

  constructor(
    private readonly file: string,
    configured: string | undefined,
  ) {
    this.pinned = configured?.toUpperCase();
  }

  static async load(dataDir: string, configured: string | undefined): Promise<CertificatePin> {
    const file = path.join(dataDir, 'controller-cert.pin');
    const pin = new CertificatePin(file, configured);
    if (!configured)
      pin.pinned = (await fs.promises.readFile(file, 'utf8').catch(() => '')).trim() || undefined;
    return pin;
  }

  /**
   * Undefined when the certificate is trusted, else the reason. Pins a first-seen certificate. Synchronous:
   * it runs inside the TLS handshake, before a single byte is sent to an untrusted peer.
   */
  check(cert: PeerCertificate): string | undefined {
    const seen = cert.fingerprint256?.toUpperCase();
    if (!seen) return 'the controller presented no certificate';
    if (!this.pinned) {
      fs.writeFileSync(this.file, `${seen}\n`, { mode: 0o600 });
      this.pinned = seen;
      return undefined;
    }
    return seen === this.pinned
      ? undefined
      : `controller certificate changed: expected the pinned ${this.pinned}, got ${seen}. If the host's certificate was replaced on purpose, set controller.fingerprint or delete ${this.file}`;
  }
}
