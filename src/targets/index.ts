// The registry of notification target types: one line per type. A type is its declaration
// (./<type>.ts, see ./target-type.ts for what it declares), its line here and its tests
// (CONTRIBUTING.md "Add a target type"): the config schema, the chart's schema test, delivery
// and redaction all read it from this list.
import type { ReceiverAnswer, SendResult } from './classify.js';
import { slack } from './slack.js';
import type { DeliveryEntry, DeliveryRequest, FormatOptions } from './target-type.js';
import { teams } from './teams.js';
import { webhook } from './webhook.js';

export const TARGET_TYPES = [
  slack, //
  teams,
  webhook,
] as const;

export type AnyTargetType = (typeof TARGET_TYPES)[number];
export type TargetTypeName = AnyTargetType['type'];

export const TARGET_TYPE_NAMES: readonly TargetTypeName[] = TARGET_TYPES.map((t) => t.type);

const BY_NAME = new Map<string, AnyTargetType>(TARGET_TYPES.map((t) => [t.type, t]));

/** The declaration of a type the config accepted (the schema refuses every other name). */
export function targetType(name: string): AnyTargetType {
  const t = BY_NAME.get(name);
  if (t === undefined) throw new Error(`unknown target type ${JSON.stringify(name)}; known: ${TARGET_TYPE_NAMES.join(', ')}`);
  return t;
}

/** A type as delivery uses it, for a target of any type. */
export interface DeliveryType {
  readonly type: string;
  readonly defaults: AnyTargetType['defaults'];
  request(entry: DeliveryEntry, target: { url: string }, nowMs: number, opts: FormatOptions): DeliveryRequest;
  classify(answer: ReceiverAnswer, nowMs: number): SendResult;
}

/**
 * The declaration of a configured target's type, to deliver to it. The cast is sound because the
 * config schema gave the target exactly its type's keys (src/config/schema.ts).
 */
export function deliveryType(name: string): DeliveryType {
  return targetType(name) as unknown as DeliveryType;
}

/** Every key that holds a secret in some type: `url`, and each type's `secretKeys`. */
export const TARGET_SECRET_KEYS: readonly string[] = [...new Set(['url', ...TARGET_TYPES.flatMap((t) => t.secretKeys)])];

/**
 * The secret values of a configured target (its URL and the values of its type's secret keys),
 * for scrubbing receivers' answers of anything we sent.
 */
export function targetSecrets(target: { type: string; url: string } & Readonly<Record<string, unknown>>): string[] {
  const out = [target.url];
  for (const k of targetType(target.type).secretKeys) {
    const v = target[k];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter((s): s is string => typeof s === 'string'));
  }
  return out;
}
