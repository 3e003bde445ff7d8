import type { AmiMessage } from './ami-parser.js';
import { present } from './channel-kind.js';
import type { AsteriskOptions } from './options.js';

/** The events that can name a recording besides those the tracker reads anyway (whose ChanVariable count). */
export const RECORDING_EVENTS = ['VarSet', 'UserEvent', 'MixMonitorStart', 'MixMonitorStop'] as const;
const RECORDING = new Set<string>(RECORDING_EVENTS.map((e) => e.toLowerCase()));

/** Longest file name passed on: the call-event schema's limit. */
const MAX_FILE = 4096;

/**
 * Finds the file name of a call's recording in AMI messages: a `VarSet` of a recording variable
 * (MixMonitor sets `MIXMONITOR_FILENAME`), a `ChanVariable: NAME=value` header of any event (manager.conf
 * `channelvars`, which also fills the `MixMonitorStart`/`MixMonitorStop` events of Asterisk 16+), or a
 * configured header of a dialplan `UserEvent`.
 */
export class RecordingNames {
  private readonly variables: string[];
  private readonly headers: string[];

  constructor(options: Pick<AsteriskOptions, 'recordingVariables' | 'recordingHeaders'>) {
    this.variables = options.recordingVariables.map((name) => name.toLowerCase());
    this.headers = options.recordingHeaders.map((name) => name.toLowerCase());
  }

  /** Events read only for the recording they may name. */
  static isRecordingEvent(message: AmiMessage): boolean {
    return RECORDING.has(message.event?.toLowerCase() ?? '');
  }

  /** The recording file `message` names, if any; an empty value (a variable being cleared) names none. */
  fileIn(message: AmiMessage): string | undefined {
    const event = message.event?.toLowerCase();
    if (event === 'varset' && this.variables.includes(message.variable?.toLowerCase() ?? ''))
      return usable(message.value);
    if (event === 'userevent') {
      for (const header of this.headers) {
        const file = usable(message[header]);
        if (file) return file;
      }
    }
    for (const variable of this.variables) {
      const file = usable(message[`chanvariable:${variable}`]);
      if (file) return file;
    }
    return undefined;
  }
}

function usable(value: string | undefined): string | undefined {
  return present(value) && value.length <= MAX_FILE && !value.includes('\0') ? value : undefined;
}
