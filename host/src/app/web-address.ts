import { injectable } from '../di.js';

/**
 * The web port as bound. Known only once the server listens (the config may ask for port 0), and read
 * later, when an agent asks where to upload.
 */
@injectable()
export class WebAddress {
  port = 0;
}

/**
 * Where agents upload when the admin set no storage host URL: the agent replaces `{controller-host}` with
 * the address it reached the controller at, which is the host's address as that agent sees it.
 */
export function defaultUploadUrl(publicUrl: string | undefined, webPort: number): string {
  return publicUrl?.replace(/\/$/, '') ?? `http://{controller-host}:${webPort}`;
}
