import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { PortalHost } from './portal-host.js';

const run = promisify(execFile);

/** A sine-wave audio file (AAC in M4A) of `seconds`. */
export async function makeAudio(dir: string, seconds: number): Promise<string> {
  const file = join(dir, 'call.m4a');
  await run(ffmpeg.path, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    file,
  ]);
  return file;
}

/**
 * An H.264 MP4 of `seconds` whose every frame shows its own timestamp (plus `label`) in large digits, so a
 * screenshot tells which moment of which segment is on screen.
 */
export async function makeVideo(
  dir: string,
  name: string,
  seconds: number,
  label: string,
  color: string,
): Promise<string> {
  const file = join(dir, name);
  await run(ffmpeg.path, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=640x360:rate=10:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `color=c=${color}:size=640x120:rate=10:duration=${seconds}`,
    '-filter_complex',
    `[0:v][1:v]overlay=0:240[v]`,
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '10',
    '-movflags',
    '+faststart',
    '-metadata',
    `title=${label}`,
    file,
  ]);
  return file;
}

export interface SeededCall {
  callId: string;
  recordingId: string;
  segmentIds: string[];
  audioKey: string;
}

/**
 * Stores the files through the tenant's storage target (the real plugin, streamed) and inserts the call,
 * recording and segment rows the orchestrator and upload jobs would have written.
 */
export async function seedCall(
  p: PortalHost,
  files: {
    audio: string | null;
    segments: { file: string; offsetMs: number; durationMs: number; stored?: boolean; monitor?: string }[];
  },
  options: { callSeconds: number; tenantId?: string; fromNumber?: string; userId?: string | null } = {
    callSeconds: 10,
  },
): Promise<SeededCall> {
  const db = p.t.host.services().database.db as Kysely<Database>;
  const tenantId = options.tenantId ?? p.tenantId;
  const { id: targetId, target } = await p.resolver.forTenant(tenantId);
  const callId = randomUUID();
  const recordingId = randomUUID();
  const start = new Date(Date.now() - 3600_000);
  let audioKey = '';
  if (files.audio) {
    audioKey = `audio/${callId}.m4a`;
    await target.put(audioKey, createReadStream(files.audio), { size: (await stat(files.audio)).size });
  }
  await db
    .insertInto('calls')
    .values({
      id: callId,
      tenant_id: tenantId,
      source_id: 'test-pbx',
      external_call_id: `ext-${callId.slice(0, 8)}`,
      direction: 'inbound',
      from_number: options.fromNumber ?? '2815550147',
      from_name: 'Caller',
      to_number: '300',
      to_name: 'Support',
      started_at: start,
      ended_at: new Date(start.getTime() + options.callSeconds * 1000),
      user_id: options.userId ?? null,
      extension: '300',
      state: 'ended',
      no_recording_reason: null,
      audio_key: files.audio ? audioKey : null,
      audio_target_id: files.audio ? targetId : null,
    })
    .execute();
  if (!files.segments.length) return { callId, recordingId, segmentIds: [], audioKey };
  const allStored = files.segments.every((s) => s.stored !== false);
  await db
    .insertInto('recordings')
    .values({
      id: recordingId,
      tenant_id: tenantId,
      workstation_id: 'ws-test',
      user_id: null,
      capture_id: randomUUID(),
      state: allStored ? 'stored' : 'uploading',
      started_at: start,
      ended_at: new Date(start.getTime() + options.callSeconds * 1000),
      end_reason: 'call ended',
      upload_token_hash: null,
    })
    .execute();
  await db
    .insertInto('call_recordings')
    .values({ tenant_id: tenantId, call_id: callId, recording_id: recordingId })
    .execute();
  const segmentIds: string[] = [];
  for (const [idx, seg] of files.segments.entries()) {
    const id = randomUUID();
    const key = `screen/${callId}-${idx}.mp4`;
    const size = (await stat(seg.file)).size;
    const stored = seg.stored !== false;
    if (stored) await target.put(key, createReadStream(seg.file), { size });
    await db
      .insertInto('segments')
      .values({
        id,
        tenant_id: tenantId,
        recording_id: recordingId,
        monitor_id: seg.monitor ?? '0',
        idx,
        started_at: new Date(start.getTime() + seg.offsetMs),
        duration_ms: seg.durationMs,
        bytes: size,
        // The real digest: playback checks what it serves against it.
        sha256: createHash('sha256')
          .update(await readFile(seg.file))
          .digest('hex'),
        state: stored ? 'stored' : 'uploading',
        spool_path: null,
        storage_target_id: stored ? targetId : null,
        storage_key: stored ? key : null,
        stored_at: stored ? new Date() : null,
        error: null,
      })
      .execute();
    segmentIds.push(id);
  }
  return { callId, recordingId, segmentIds, audioKey };
}
