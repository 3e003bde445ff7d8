import fs from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '@deskrec/core';
import { Spool } from '../../../agent/dist/spool/spool.js';
import { Uploader } from '../../../agent/dist/upload/uploader.js';
import { sha256File } from './uploads-fixtures.js';

export interface AgentUpload {
  uploader: Uploader;
  spoolFile: string;
  sha256: string;
  bytes: number;
  /** Resolves once the agent's spool no longer holds the file (the host confirmed it). */
  confirmed(): Promise<void>;
}

/**
 * The agent's own Spool + Uploader (the code the agent daemon runs) uploading one file as segment 0 of a
 * recording: the file is copied into a capture folder under `agentDir` as the capture runner would leave it.
 */
export async function agentUpload(options: {
  agentDir: string;
  source: string;
  uploadUrl: string;
  recordingId: string;
  token: string;
  maxKbps?: number;
}): Promise<AgentUpload> {
  const spool = new Spool(path.join(options.agentDir, 'spool'));
  const captureId = `cap-${options.recordingId}`;
  const dir = await spool.beginCapture({
    captureId,
    recordingId: options.recordingId,
    uploadToken: options.token,
    uploadUrl: options.uploadUrl,
    startedAt: new Date().toISOString(),
    monitors: ['0'],
  });
  const spoolFile = path.join(dir, 'monitor-0-000.mp4');
  await fs.copyFile(options.source, spoolFile);
  const sha256 = await sha256File(spoolFile);
  const { size: bytes } = await fs.stat(spoolFile);
  const item = await spool.addSegment(
    {
      captureId,
      index: 0,
      monitorId: '0',
      fileName: path.basename(spoolFile),
      startedAt: new Date().toISOString(),
      durationMs: 10_000,
      bytes,
      sha256,
    },
    spoolFile,
  );
  const uploader = new Uploader({
    spool,
    logger: silentLogger,
    maxKbps: options.maxKbps ?? 0,
    retryMaxSeconds: 1,
    stateDir: path.join(options.agentDir, 'state'),
  });
  uploader.enqueue(item);
  return {
    uploader,
    spoolFile,
    sha256,
    bytes,
    async confirmed() {
      await uploader.drained();
      await fs.access(spoolFile).then(
        () => Promise.reject(new Error('the uploader stopped before the host confirmed the file')),
        () => undefined,
      );
    },
  };
}
