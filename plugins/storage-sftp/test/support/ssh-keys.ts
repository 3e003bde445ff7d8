import ssh2 from 'ssh2';

type KeyOptions = Parameters<typeof ssh2.utils.generateKeyPairSync>[1];

/**
 * An ed25519 key pair from ssh2's generator. ssh2 (1.17) strips leading zero bytes from the raw public key, so
 * about one key in 256 comes out 31 bytes long and is refused as malformed: those are drawn again.
 */
export function ed25519KeyPair(options?: KeyOptions): { private: string; public: string } {
  for (;;) {
    const keys = options
      ? ssh2.utils.generateKeyPairSync('ed25519', options)
      : ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(keys.public) instanceof Error)) return keys;
  }
}
