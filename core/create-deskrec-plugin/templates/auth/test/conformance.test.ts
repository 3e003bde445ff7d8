import { authPolicyKit } from '@deskrec/core/testing';
import { EnrollmentPolicy, OptionsSchema } from '../src/index.js';

authPolicyKit({
  name: '__PACKAGE_NAME__',
  create: () => new EnrollmentPolicy(OptionsSchema.parse({})),
});
