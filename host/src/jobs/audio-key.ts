import { FileNameTemplate } from '@deskrec/core';
import type { CallsRepo } from '../db/repos/calls.js';
import type { SettingsRepo } from '../db/repos/settings.js';

export type AudioCall = NonNullable<Awaited<ReturnType<CallsRepo['forAudio']>>>;

/** File extension of each audio media type the host stores. */
export const AUDIO_EXTENSIONS: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/webm': 'webm',
};

/** The storage key of a call's audio: the tenant's file-name template with an `-audio` suffix. */
export async function audioKey(
  settings: SettingsRepo,
  tenantId: string,
  call: AudioCall,
  extension: string,
): Promise<string> {
  const { fileNameFormat } = await settings.get(tenantId);
  const template = new FileNameTemplate(
    `${fileNameFormat.replace(/\.[A-Za-z0-9]+$/, '')}-audio.${extension}`,
  );
  return template.render({
    'start-time': new Date(call.started_at),
    ...(call.ended_at ? { 'end-time': new Date(call.ended_at) } : {}),
    'recording-id': call.external_call_id,
    'call-id': call.external_call_id,
    direction: call.direction,
    ...(call.extension ? { extension: call.extension } : {}),
  });
}
