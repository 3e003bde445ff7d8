import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { TokenAuthOptionsSchema } from './options.js';
import { TokenAuthPolicy } from './token-auth-policy.js';

export { type TokenAuthOptions, TokenAuthOptionsSchema } from './options.js';
export { hashSecret, secretMatches } from './secret-hash.js';
export { TokenAuthPolicy } from './token-auth-policy.js';

export default definePlugin({
  id: 'auth-token',
  kind: 'auth',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Tenant token and per-workstation secret, with admin approval',
  options: TokenAuthOptionsSchema,
  capabilities: {},
  create: (options) => new TokenAuthPolicy(options),
});
