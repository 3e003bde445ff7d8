import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

/** Every error answer has this shape: a stable code, one readable sentence, and the field when one is at fault. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not-found', `${what} not found`);

export function errorJson(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  field?: string,
) {
  return c.json({ error: { code, message, ...(field ? { field } : {}) } }, status);
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Turns zod issues into the error shape: the first problem's field, every problem in the message. */
export function validationError(error: z.ZodError, root?: string): ApiError {
  const lines = error.issues.map((issue) => {
    const path = [root, pathOf(issue.path)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return `${issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}: unknown field`;
    }
    return `${path || 'body'}: ${issue.message}`;
  });
  const first = error.issues[0];
  const firstPath = first ? [root, pathOf(first.path)].filter(Boolean).join('.') : '';
  const field =
    first?.code === 'unrecognized_keys' ? [firstPath, first.keys[0]].filter(Boolean).join('.') : firstPath;
  return new ApiError(400, 'invalid', lines.join('; '), field || undefined);
}

/** Used as the OpenAPI app's defaultHook: request validation failures become 400 with the field named. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
  c: Context,
) {
  if (result.success) return;
  const error = validationError(result.error, result.target === 'json' ? undefined : result.target);
  return errorJson(c, 400, error.code, error.message, error.field);
}

export function createErrorHandler(log: (error: unknown) => void): ErrorHandler {
  return (error, c) => {
    if (error instanceof ApiError) return errorJson(c, error.status, error.code, error.message, error.field);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const message = error.message || 'Bad request';
      const code = /malformed json/i.test(message)
        ? 'malformed-json'
        : status === 415
          ? 'unsupported-media-type'
          : status === 413
            ? 'payload-too-large'
            : 'bad-request';
      const text =
        code === 'malformed-json'
          ? 'The request body is not valid JSON'
          : code === 'unsupported-media-type'
            ? 'Send the body as JSON (Content-Type: application/json)'
            : message;
      return errorJson(c, status, code, text);
    }
    // PostgreSQL refuses NUL characters in text and JSON; that is the client's input, not a server fault.
    const dbCode = (error as { code?: string })?.code;
    if (dbCode === '22021' || dbCode === '22P05') {
      return errorJson(c, 400, 'invalid', 'Text may not contain NUL (\\u0000) characters');
    }
    log(error);
    return errorJson(c, 500, 'internal', 'Internal error; see the host log for details');
  };
}
