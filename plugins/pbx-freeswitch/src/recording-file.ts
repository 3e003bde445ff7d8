import type { EslEvent } from './call-tracker.js';
import type { FreeswitchOptions } from './options.js';

/** Fired by record_session and uuid_record when a recording starts and stops; they carry `Record-File-Path`. */
export const RECORDING_EVENTS = ['RECORD_START', 'RECORD_STOP'] as const;
const RECORDING = new Set<string>([...RECORDING_EVENTS, 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);

/** Longest file name passed on: the call-event schema's limit. */
const MAX_FILE = 4096;

/**
 * Finds the file name of a call's recording in ESL events: `Record-File-Path` of RECORD_START/RECORD_STOP,
 * the data of a `record_session` execution (when the server sends CHANNEL_EXECUTE), or a configured channel
 * variable (`variable_<name>`, on every channel event).
 */
export class RecordingNames {
  private readonly variables: string[];

  constructor(options: Pick<FreeswitchOptions, 'recordingVariables'>) {
    this.variables = options.recordingVariables.map((name) => `variable_${name}`);
  }

  /** Events read only for the recording they may name. */
  static isRecordingEvent(event: EslEvent): boolean {
    return RECORDING.has(event['Event-Name'] ?? '');
  }

  fileIn(event: EslEvent): string | undefined {
    const name = event['Event-Name'];
    if (name === 'RECORD_START' || name === 'RECORD_STOP') {
      const file = usable(event['Record-File-Path']);
      if (file) return file;
    }
    if (
      (name === 'CHANNEL_EXECUTE' || name === 'CHANNEL_EXECUTE_COMPLETE') &&
      event.Application === 'record_session'
    ) {
      // `record_session <path> [+<seconds limit>]`
      const file = usable(event['Application-Data']?.replace(/\s+\+\d+\s*$/, '').trim());
      if (file) return file;
    }
    for (const variable of this.variables) {
      const file = usable(event[variable]);
      if (file) return file;
    }
    return undefined;
  }
}

function usable(value: string | undefined): string | undefined {
  return value && value.length <= MAX_FILE && !value.includes('\0') ? value : undefined;
}
