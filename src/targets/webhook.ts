// Generic webhooks, signed per Standard Webhooks 1.0 (webhook-body.ts builds the body and the
// signature). The one key of their own is `secret`: whsec_ secrets, several during key rotation.
import { z } from 'zod';
import { classifyHttp } from './classify.js';
import { defineTargetType } from './target-type.js';
import { buildWebhookBody, secretsOf, webhookHeaders } from './webhook-body.js';

const SECRET_MESSAGE = 'must be whsec_ followed by base64 of at least 16 random bytes (e.g. "whsec_$(openssl rand -base64 32)")';

/** whsec_<base64 of >= 16 bytes>: shorter keys make the HMAC guessable. */
function validSecret(s: string): boolean {
  const body = s.startsWith('whsec_') ? s.slice('whsec_'.length) : '';
  return body.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(body) && Buffer.from(body, 'base64').length >= 16;
}

export const webhook = defineTargetType({
  type: 'webhook',
  title: 'generic webhook (Standard Webhooks)',
  urlExample: 'https://hooks.example.com/cleanroomsml',
  keys: {
    /** Standard Webhooks secret(s), whsec_<base64>; several during key rotation (all are used to sign). Unset: unsigned. */
    secret: z
      .union([z.string(), z.array(z.string()).min(1)], { error: 'must be a whsec_ string or a list of them (or set secretFile)' })
      .superRefine((secret, ctx) => {
        const list = Array.isArray(secret) ? secret : [secret];
        list.forEach((s, i) => {
          if (!validSecret(s)) ctx.addIssue({ code: 'custom', path: Array.isArray(secret) ? [i] : [], message: SECRET_MESSAGE });
        });
      })
      .optional(),
  },
  secretKeys: ['secret'],
  // Receivers are the user's own services: a few at once, ten a second.
  defaults: { ratePerSecond: 10, concurrency: 4 },
  request(entry, target, nowMs) {
    const body = buildWebhookBody(entry);
    return { url: target.url, headers: webhookHeaders(entry.id, body, secretsOf(target.secret), nowMs), body };
  },
  classify: classifyHttp,
});
