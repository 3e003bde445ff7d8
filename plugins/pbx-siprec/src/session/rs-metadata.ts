import { XMLParser } from 'fast-xml-parser';

export class MetadataError extends Error {
  override readonly name = 'MetadataError';
}

export interface MetadataParticipant {
  id: string;
  aor?: string;
  name?: string;
  /** stream_ids this participant sends. */
  sends: string[];
}

export interface RecordingMetadata {
  /** The communication session's id: `<sipSessionID>` (its local UUID) or the `session_id` attribute. */
  sessionId?: string;
  /** When the recording of the communication session began (`<associate-time>` or `<start-time>`). */
  startedAt?: Date;
  participants: MetadataParticipant[];
  /** stream_id → SDP label. */
  streamLabels: Map<string, string>;
}

const LISTS = new Set([
  'session',
  'participant',
  'stream',
  'participantstreamassoc',
  'send',
  'nameID',
  'group',
  'aor',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => LISTS.has(name),
});

type Node = Record<string, unknown>;

const list = (value: unknown): Node[] =>
  Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Node[]) : [];

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) return text(value[0]);
  if (value && typeof value === 'object') return text((value as Node)['#text']);
  return undefined;
}

const attr = (node: Node, name: string): string | undefined => text(node[`@${name}`]);

function date(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Reads an `application/rs-metadata+xml` document (RFC 7865 §6; the older draft's `<aor>` and `id` too). */
export function parseRsMetadata(xml: string): RecordingMetadata {
  // No document type: entity declarations are a way to blow up memory, and rs-metadata never needs one.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new MetadataError('rs-metadata with a DOCTYPE or ENTITY declaration');
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (error) {
    throw new MetadataError(`rs-metadata is not well-formed XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const recording = doc.recording;
  if (!recording || typeof recording !== 'object')
    throw new MetadataError('rs-metadata has no <recording> root');
  const root = recording as Node;

  const session = list(root.session)[0];
  const sipSessionId = session ? text(session.sipSessionID) : undefined;
  const sessionId =
    sipSessionId?.split(';')[0]?.trim() || (session && (attr(session, 'session_id') ?? attr(session, 'id')));
  const group = list(root.group)[0];
  const startedAt =
    date(group ? text(group['associate-time']) : undefined) ??
    date(session ? (text(session['start-time']) ?? text(session['associate-time'])) : undefined);

  const streamLabels = new Map<string, string>();
  for (const stream of list(root.stream)) {
    const id = attr(stream, 'stream_id') ?? attr(stream, 'id');
    const label = text(stream.label);
    if (id && label) streamLabels.set(id, label);
  }

  const participants: MetadataParticipant[] = [];
  const byId = new Map<string, MetadataParticipant>();
  for (const p of list(root.participant)) {
    const id = attr(p, 'participant_id') ?? attr(p, 'id');
    if (!id) throw new MetadataError('a <participant> without participant_id');
    const nameId = list(p.nameID)[0];
    const aor = (nameId && attr(nameId, 'aor')) ?? text(p.aor);
    const name = (nameId && text(nameId.name)) ?? text(p.name);
    // The older draft lists the streams a participant sends inside <participant>.
    const sends: string[] = [];
    for (const s of Array.isArray(p.send) ? p.send : []) {
      const t = text(s);
      if (t) sends.push(t);
    }
    const participant: MetadataParticipant = {
      id,
      ...(aor ? { aor } : {}),
      ...(name ? { name } : {}),
      sends,
    };
    participants.push(participant);
    byId.set(id, participant);
  }
  for (const assoc of list(root.participantstreamassoc)) {
    const participant = byId.get(attr(assoc, 'participant_id') ?? '');
    if (!participant) continue;
    for (const s of Array.isArray(assoc.send) ? assoc.send : []) {
      const t = text(s);
      if (t && !participant.sends.includes(t)) participant.sends.push(t);
    }
  }
  return {
    ...(sessionId ? { sessionId } : {}),
    ...(startedAt ? { startedAt } : {}),
    participants,
    streamLabels,
  };
}
