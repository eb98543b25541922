// The contract of a notification target type: everything the monitor knows about one kind of
// receiver lives in its declaration (src/targets/<type>.ts), listed once in the registry
// (src/targets/index.ts). The config schema (src/config/schema.ts), the delivery worker
// (src/notify/outbox.ts), the one outbound path (src/notify/send.ts) and redaction read it from
// there; none of them names a type.
//
// Declarations are pure: they build requests and read answers, they never send.
import type { z } from 'zod';
import type { OutboxEntry } from '../state/types.js';
import type { ResourceEvent } from '../kinds/event.js';
import type { ReceiverAnswer, SendResult } from './classify.js';

/** The HTTP request of one delivery attempt. */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a request is built from: the outbox entry's stable id and its event. */
export type DeliveryEntry = Pick<OutboxEntry, 'id'> & { event: ResourceEvent };

export interface FormatOptions {
  /** Shown in a message's footer, e.g. the monitor's release or cluster name. */
  monitorName?: string;
  /** The tag keys a message shows as fields when the resource carries them (`tags.keys`). */
  tagKeys?: readonly string[];
}

/** The parsed values of a type's own keys (nothing for a type without keys). */
export type TypeKeys<Keys extends z.ZodRawShape> = [keyof Keys] extends [never] ? unknown : z.output<z.ZodObject<Keys>>;

/**
 * One target type. The keys every target has (name, url, statuses, kinds, routing filters,
 * allowHttp, allowPrivate, timeoutMs, ratePerSecond, retry, deadLetters) are common and declared
 * once in src/config/schema.ts; a type declares only the keys that are its own.
 */
export interface TargetType<Name extends string = string, Keys extends z.ZodRawShape = z.ZodRawShape> {
  /** The `type:` value in the config. */
  readonly type: Name;
  /** For people: "Slack incoming webhook". */
  readonly title: string;
  /** For the message about a malformed `url`. */
  readonly urlExample: string;
  /**
   * The keys only this type takes, each a zod schema that validates itself (with its default, if
   * any). Another type's target that sets one is refused with a message naming the key.
   */
  readonly keys: Keys;
  /**
   * Which of `keys` hold secrets (`url` always does): never logged or printed, scrubbed from
   * receivers' answers, and readable from a file as `<key>File`.
   */
  readonly secretKeys: readonly (keyof Keys & string)[];
  readonly defaults: {
    /** Messages per second when the target sets no `ratePerSecond`. */
    readonly ratePerSecond: number;
    /** Deliveries in flight at once to one target (1 keeps the receiver's order of arrival). */
    readonly concurrency: number;
  };
  /** The request of one attempt; `nowMs` is this attempt's wall-clock time (signatures), nothing else. */
  request(entry: DeliveryEntry, target: { url: string } & TypeKeys<Keys>, nowMs: number, opts: FormatOptions): DeliveryRequest;
  /** What the receiver's answer means. */
  classify(answer: ReceiverAnswer, nowMs: number): SendResult;
}

/** Declares a type with its keys' types kept (for the config's typed union of targets). */
export function defineTargetType<const Name extends string, Keys extends z.ZodRawShape>(t: TargetType<Name, Keys>): TargetType<Name, Keys> {
  return Object.freeze(t);
}
