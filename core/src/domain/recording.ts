/** Life of a call's screen recording, as the portal shows it. */
export type RecordingState = 'recording' | 'uploading' | 'stored' | 'failed' | 'none';

/** Where one segment file is on its way to storage. */
export type SegmentState = 'on-agent' | 'uploading' | 'spooled' | 'stored' | 'failed';
