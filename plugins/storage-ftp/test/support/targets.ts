import { FtpStorageTarget } from '../../src/ftp-storage-target.js';
import { type FtpStorageInput, FtpStorageOptionsSchema } from '../../src/options.js';

/** A target built the way the loader builds it: options through the plugin's schema. */
export function createTarget(options: FtpStorageInput): FtpStorageTarget {
  return new FtpStorageTarget(FtpStorageOptionsSchema.parse(options));
}
