import { authPolicyKit } from '@deskrec/core/testing';
import plugin, { EnrollmentPolicy, OptionsSchema } from '../src/index.js';

authPolicyKit({
  capabilities: plugin.capabilities,
  name: '__PACKAGE_NAME__',
  create: () => new EnrollmentPolicy(OptionsSchema.parse({})),
});
