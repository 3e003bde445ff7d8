import type { AuthPolicy } from '../ports/auth-policy.js';
import type { CallEventSource, CallEventSourceCapabilities } from '../ports/call-event-source.js';
import type { CaptureBackend, CaptureCapabilities } from '../ports/capture-backend.js';
import type { StorageCapabilities, StorageTarget } from '../ports/storage-target.js';

/** Each plugin kind, the port it implements and the capability flags it declares. */
export interface PluginKinds {
  storage: { port: StorageTarget; capabilities: StorageCapabilities };
  'call-events': {
    port: CallEventSource;
    capabilities: CallEventSourceCapabilities;
  };
  capture: { port: CaptureBackend; capabilities: CaptureCapabilities };
  auth: { port: AuthPolicy; capabilities: Record<string, never> };
}

export type PluginKind = keyof PluginKinds;

/** Package-name prefix used to expand short names in config (`s3` as storage → `@deskrec/storage-s3`). */
export const KIND_PACKAGE_PREFIX: Record<PluginKind, string> = {
  storage: '@deskrec/storage-',
  'call-events': '@deskrec/pbx-',
  capture: '@deskrec/capture-',
  auth: '@deskrec/auth-',
};
