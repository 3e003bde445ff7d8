import { z } from 'zod';

/** Where the provider sends the browser back to, under the API. */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';
export const OIDC_START_PATH = '/api/auth/oidc/start';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https everywhere; plain http only on this machine (a provider run for tests or a trial). */
function secureOrLoopback(value: string): boolean {
  const url = new URL(value);
  return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
}

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant slug: lowercase letters, digits and "-"');
const claimValues = z
  .array(z.string().min(1).max(256))
  .max(100)
  .default([])
  .describe('Values of the role claim that give this role');

/** Admin sign-in through an OpenID Connect provider (Keycloak, Entra ID, Google…). */
export const OidcConfigSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .default('single sign-on')
      .describe('Shown on the login page as "Sign in with <name>"'),
    issuer: z
      .url({ protocol: /^https?$/, error: "expected the provider's https:// issuer URL" })
      .refine(secureOrLoopback, 'expected https:// (plain http only for a provider on this machine)')
      .describe('Issuer URL; its /.well-known/openid-configuration is read at the first sign-in'),
    clientId: z.string().min(1).max(512).describe('Client id registered at the provider'),
    clientSecret: z
      .string()
      .min(1)
      .max(4096)
      .describe('Client secret; better an environment variable or file: reference than the value itself'),
    redirectUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .optional()
      .describe(
        'Callback address registered at the provider; default <web.publicUrl>/api/auth/oidc/callback, or without web.publicUrl the address the browser used',
      ),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope name without spaces or quotes'))
      .default(['openid', 'email', 'profile'])
      .refine((s) => s.includes('openid'), 'must include "openid"')
      .describe('Scopes asked for; add the one that carries the role claim if the provider needs it'),
    roleClaim: z
      .string()
      .min(1)
      .max(128)
      .default('groups')
      .describe('Claim (in the ID token or userinfo) whose value or values decide the role'),
    roles: z
      .object({ admin: claimValues, supervisor: claimValues })
      .strict()
      .prefault({})
      .describe('Role claim values mapped to deskrec roles; admin wins when both match'),
    defaultRole: z
      .enum(['admin', 'supervisor'])
      .optional()
      .describe('Role of a user whose claim matches neither list; without it such users are refused'),
    tenant: slug.default('default').describe('Tenant slug the users sign in to'),
    createUsers: z
      .boolean()
      .default(false)
      .describe(
        'Create an admin user at the first sign-in; when false only existing users (linked, or whose username is the verified email) may sign in',
      ),
    passwordSignIn: z
      .boolean()
      .default(true)
      .describe('Keep sign-in with username and password; false leaves single sign-on only'),
  })
  .strict();

export type OidcConfig = z.output<typeof OidcConfigSchema>;
