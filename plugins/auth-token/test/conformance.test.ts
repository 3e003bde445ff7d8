import { authPolicyKit } from '@deskrec/core/testing';
import plugin from '../src/index.js';
import { TokenAuthOptionsSchema } from '../src/options.js';
import { TokenAuthPolicy } from '../src/token-auth-policy.js';

authPolicyKit({
  name: 'auth-token',
  capabilities: plugin.capabilities,
  create: () => new TokenAuthPolicy(TokenAuthOptionsSchema.parse({})),
});
