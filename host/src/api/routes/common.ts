import { z } from '@hono/zod-openapi';
import { ErrorBodySchema } from '../errors.js';

export const IdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'control characters are not allowed')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

/** The error answers every authenticated route can give, documented once. */
export const commonErrors = {
  400: errorResponse('Invalid input: the message names the field and the problem'),
  401: errorResponse('No session, or the session expired'),
  403: errorResponse('The signed-in user lacks the role'),
  413: errorResponse('The request body is too large'),
} as const;

export const notFoundResponse = { 404: errorResponse('No such item in this tenant') } as const;
export const conflictResponse = { 409: errorResponse('Conflicts with existing data') } as const;

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { 'application/json': { schema } },
  };
}

export function jsonOk<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const security: Record<string, string[]>[] = [{ session: [] }, { bearer: [] }];
