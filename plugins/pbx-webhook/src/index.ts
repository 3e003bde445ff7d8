import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { WebhookOptionsSchema } from './options.js';
import { WEBHOOK_CAPABILITIES, WebhookSource } from './webhook-source.js';

export { FIELD_ALIASES, parseWebhookBody, WebhookEventSchema } from './event-schema.js';
export {
  MIN_SECRET_LENGTH,
  type WebhookOptions,
  type WebhookOptionsInput,
  WebhookOptionsSchema,
} from './options.js';
export { SIGNATURE_HEADER, signedHeaders, signWebhook, TIMESTAMP_HEADER } from './signature.js';
export { WEBHOOK_CAPABILITIES, WebhookSource } from './webhook-source.js';

export default definePlugin({
  id: 'pbx-webhook',
  kind: 'call-events',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Signed JSON webhooks from any phone system',
  options: WebhookOptionsSchema,
  secrets: ['secret', 'previousSecrets', 'tenantSecrets'],
  capabilities: WEBHOOK_CAPABILITIES,
  create: (options, context) => new WebhookSource(options, { clock: context.clock, logger: context.logger }),
});
