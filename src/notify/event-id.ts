import { createHash } from 'node:crypto';

/**
 * The stable id of one notification: the Standard Webhooks `webhook-id` and the body's `id`.
 * Derived only from (arn, status, updateTime, target), so a retry, a redelivery after a crash and a
 * re-derivation from the same snapshot all carry the same id, and receivers can deduplicate
 * ("webhook-id ... should be used as an idempotency key", Standard Webhooks spec §Webhook id).
 * JSON framing keeps the fields unambiguous (no "a|b" + "c" == "a" + "b|c" collisions).
 * 128 bits of SHA-256, hex: collision-free for any realistic fleet.
 */
export function eventId(arn: string, status: string, updateTime: number, target: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(['v1', arn, status, updateTime, target]))
    .digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}
