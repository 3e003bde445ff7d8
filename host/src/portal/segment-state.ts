import type { SegmentsTable } from '../db/schema.js';

/** One screen part as the call page shows it: where the file is, and why it is stuck when it is. */
export interface SegmentStateView {
  label: string;
  tone: 'ok' | 'warn' | 'bad' | 'info';
  /** The last error the upload or the store job noted, in the host's words. */
  reason?: string | undefined;
}

/**
 * From the segment row alone: the state says where the file is; a spooled part with an error is on the host
 * but its store job failed (it retries), which the admin must see as a failure, not as progress.
 */
export function segmentStateOf(row: Pick<SegmentsTable, 'state' | 'error'>): SegmentStateView {
  const reason = row.error ?? undefined;
  switch (row.state) {
    case 'on-agent':
      return { label: 'On agent', tone: 'info', reason };
    case 'uploading':
      return { label: 'Uploading', tone: 'warn', reason };
    case 'spooled':
      return reason ? { label: 'Storing failed', tone: 'bad', reason } : { label: 'On host', tone: 'info' };
    case 'stored':
      return { label: 'Stored', tone: 'ok' };
    case 'failed':
      return { label: 'Failed', tone: 'bad', reason: reason ?? 'the part could not be recorded or received' };
  }
}

/** What the player's placeholder says over a part that is not stored yet. */
export function waitingMessage(row: Pick<SegmentsTable, 'state' | 'error'>): { title: string; text: string } {
  const state = segmentStateOf(row);
  if (row.state === 'spooled' && row.error)
    return {
      title: 'Storing this part failed',
      text: `The file is kept on the host and stored once the storage target accepts it: ${row.error}`,
    };
  if (row.state === 'spooled')
    return { title: 'This part is on the host', text: 'It plays here once it is in the storage target.' };
  return {
    title: 'Screen recording file is not uploaded yet',
    text: `This part is still on its way from the workstation (${state.label.toLowerCase()}); it plays here once it is stored.`,
  };
}
