import type { z } from 'zod';
import { formatIssues } from '../util/zod-issues.js';
import type { AgentMessage, HostMessage } from './messages.js';
import { AgentMessageSchema, HostMessageSchema, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from './messages.js';

export type DecodeFailure = {
  ok: false;
  code: 'malformed' | 'unknown-type' | 'protocol-version' | 'invalid';
  message: string;
};
export type Decoded<T> = { ok: true; message: T } | DecodeFailure;

function decodeWith<T>(schema: z.ZodType<T>, types: readonly string[], raw: string | Buffer): Decoded<T> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_MESSAGE_BYTES) {
    return {
      ok: false,
      code: 'malformed',
      message: `message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch (error) {
    return {
      ok: false,
      code: 'malformed',
      message: `message is not JSON: ${(error as Error).message}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      code: 'malformed',
      message: 'message must be a JSON object',
    };
  }
  const { v, type } = value as { v?: unknown; type?: unknown };
  if (v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'protocol-version',
      message: `protocol version ${JSON.stringify(v)} is not supported; this side speaks version ${PROTOCOL_VERSION}`,
    };
  }
  if (typeof type !== 'string' || !types.includes(type)) {
    return {
      ok: false,
      code: 'unknown-type',
      message: `unknown message type ${JSON.stringify(type)}`,
    };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      code: 'invalid',
      message: `${type}: ${formatIssues(parsed.error)}`,
    };
  return { ok: true, message: parsed.data };
}

const agentTypes = AgentMessageSchema.options.map((o) => o.shape.type.value);
const hostTypes = HostMessageSchema.options.map((o) => o.shape.type.value);

/** Parses and validates a frame an agent sent; never throws. */
export function decodeAgentMessage(raw: string | Buffer): Decoded<AgentMessage> {
  return decodeWith(AgentMessageSchema as z.ZodType<AgentMessage>, agentTypes, raw);
}

/** Parses and validates a frame the host sent; never throws. */
export function decodeHostMessage(raw: string | Buffer): Decoded<HostMessage> {
  return decodeWith(HostMessageSchema as z.ZodType<HostMessage>, hostTypes, raw);
}
