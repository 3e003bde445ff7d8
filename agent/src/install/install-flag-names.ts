/** The install flags, apart from their handling, so the CLI can declare them without loading the installer. */
export const INSTALL_FLAG_NAMES = [
  'server1',
  'server2',
  'tenant-token',
  'use-ssl',
  'fingerprint',
  'ca-file',
  'tls-cert',
  'tls-key',
  'data-dir',
  'display',
  'xauthority',
] as const;
