import { authPolicyKit } from '@deskrec/core/testing';
import { TokenAuthOptionsSchema } from '../src/options.js';
import { TokenAuthPolicy } from '../src/token-auth-policy.js';

authPolicyKit({
  name: 'auth-token',
  create: () => new TokenAuthPolicy(TokenAuthOptionsSchema.parse({})),
});
