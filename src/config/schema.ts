// The config contract (README "Configuration", config/example.yaml). Strict objects everywhere: an unknown key is an error that
// names its path, because a typo such as `statusses:` silently meaning "default" is worse than a refusal.
import { z } from 'zod';
import { VANISHED } from '../domain.js';
import { entryList } from '../kinds/discovery.js';
import { ALL_KINDS, DEFAULT_NOTIFY_CLASSES, KIND_NAMES, kindOfArn, STATUS_CLASSES, STATUS_WORD } from '../kinds/index.js';
import { CRON_MESSAGE, DEFAULT_SCHEDULE, isCronWithSeconds } from './schedule.js';
import { compileJobNamePattern } from './job-name-pattern.js';
import { tagSelectorSchema } from './tag-selector.js';
import { tagLabelName } from './tag-label.js';
import { parseDuration } from './duration.js';
import { secretKey } from './shape.js';
import { TARGET_TYPE_NAMES, TARGET_TYPES, type AnyTargetType, type TargetTypeName } from '../targets/index.js';
import { MODEL_ARN_RE, parseArn } from '../aws/arn.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * A `statuses:` item: a status word (any: AWS adds values, and a status no kind's model lists yet
 * is only a warning, src/config/warnings.ts), VANISHED, or a class (src/kinds/statuses.ts) that
 * stands for every status of that class, those AWS adds later included.
 */
const NOTIFY_STATUS_MESSAGE = `must be a status (upper case and _, such as ACTIVE or CREATE_FAILED), ${VANISHED}, or a class: ${STATUS_CLASSES.join(', ')}`;
const notifyStatus = z
  .string({ error: NOTIFY_STATUS_MESSAGE })
  .refine((v) => STATUS_WORD.test(v) || (STATUS_CLASSES as readonly string[]).includes(v), NOTIFY_STATUS_MESSAGE);
const kindName = z.enum(KIND_NAMES, { error: () => `must be one of ${KIND_NAMES.join(', ')}` });
/** ARN shapes of the kinds that have one, for messages. */
const ARN_KINDS = ALL_KINDS.filter((k) => k.arn).map((k) => k.arn!.resourceType);
/** The kinds whose resources have versions ("trained models"). */
const VERSIONED = ALL_KINDS.filter((k) => k.versionMember)
  .map((k) => `${k.title}s`)
  .join(', ');

const ROLE_ARN_PATTERN = /^arn:aws[-a-z]*:iam::[0-9]{12}:role\/[-a-zA-Z0-9_+=,.@/]{1,512}$/;
const roleArn = z.string().regex(ROLE_ARN_PATTERN, 'must be an IAM role ARN: arn:aws:iam::<account>:role/<name>').optional();
const region = z.string().regex(REGION_PATTERN, 'must be an AWS region such as us-east-1');

/** "90s", "10m", "1h30m", "7d" or 0 -> milliseconds; negative ones are not durations here. */
function parseDurationMs(v: string | number): number | undefined {
  if (v === 0 || v === '0') return 0;
  if (typeof v !== 'string') return undefined;
  const ms = parseDuration(v);
  return ms !== undefined && ms >= 0 ? ms : undefined;
}
const duration = (min: number, minText: string) =>
  z.union([z.string(), z.number()], { error: 'must be a duration such as 90s, 10m, 12h or 7d' }).transform((v, ctx) => {
    const ms = parseDurationMs(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 10m, 12h or 7d' });
      return z.NEVER;
    }
    if (ms < min && !(min > 0 && ms === 0 && minText.includes('0 ='))) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${minText}` });
      return z.NEVER;
    }
    return ms;
  });

const positiveInt = (max: number) =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

const awsSchema = z.strictObject({
  region: z.string().regex(REGION_PATTERN, 'must be an AWS region such as us-east-1').default('us-east-1'),
  /** Override of https://cleanrooms-ml.{region}.amazonaws.com: the simulator, or a VPC endpoint. */
  endpoint: z.url({ error: 'must be a URL such as https://vpce-....cleanrooms-ml.us-east-1.vpce.amazonaws.com' }).optional(),
  requestTimeoutMs: positiveInt(120_000).default(10_000),
  /** Attempts per API call for retryable errors (throttling, 5xx, network). */
  maxAttempts: positiveInt(10).default(4),
  /** Role to assume (STS) for every resource and discovery entry that names none. Default: the credential chain's identity. */
  roleArn,
});

const staticResourceSchema = z
  .strictObject({
    /** Any supported resource ARN; its kind comes from the ARN (src/kinds). */
    arn: z
      .string()
      .refine(
        (a) => kindOfArn(a) !== undefined,
        `must be the ARN of a Clean Rooms ML resource the monitor watches (${ARN_KINDS.join(', ')})`,
      ),
    /** Trained models only: the version to watch (default: the version without one, the base version). */
    versionIdentifier: z.string().regex(UUID_PATTERN, 'must be a version identifier (a UUID)').optional(),
    /** The job's region; it is the one in the ARN (stating it is optional, a different one is an error). */
    region: region.optional(),
    /** Role to assume (STS) to read this job, e.g. in another account. Default: aws.roleArn. */
    roleArn,
  })
  .superRefine((j, ctx) => {
    const kind = kindOfArn(j.arn);
    if (j.versionIdentifier !== undefined && kind !== undefined && kind.versionMember === undefined) {
      ctx.addIssue({ code: 'custom', path: ['versionIdentifier'], message: `only ${VERSIONED} have versions; a ${kind.title} has none` });
    }
    const inArn = kind ? parseArn(j.arn)?.region : undefined;
    if (j.region !== undefined && inArn !== undefined && j.region !== inArn) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: `must match the region in the ARN (${inArn}) or be left out` });
    }
  });

const discoverySchema = z
  .strictObject({
    /** Membership-scoped kinds (trained models, inference jobs, ML input channels) of this membership. */
    membershipId: z.string().regex(UUID_PATTERN, 'must be a membership id (a UUID)').optional(),
    /** member (default): the caller's own resources; collaboration: every member's, through the collaboration Lists (needs collaborationId). */
    view: z.enum(['member', 'collaboration'], { error: () => 'must be member or collaboration' }).optional(),
    /** The kinds to list (default: every kind the entry's scope narrows; src/kinds/discovery.ts). */
    kinds: z.array(kindName).min(1, 'must list at least one kind (or remove the key)').optional(),
    collaborationId: z.string().regex(UUID_PATTERN, 'must be a collaboration id (a UUID)').optional(),
    configuredAudienceModelArn: z
      .string()
      .regex(
        MODEL_ARN_RE,
        'must be a configured audience model ARN: arn:aws:cleanrooms-ml:<region>:<account>:configured-audience-model/<id>',
      )
      .optional(),
    /** Region to list in (and only jobs of that region are watched). Default: aws.region. */
    region: region.optional(),
    /** Role to assume (STS) to list, e.g. in another account. Default: aws.roleArn. */
    roleArn,
    /** Watch only the resources carrying these tags (src/config/tag-selector.ts); the others are listed, not watched. */
    tags: tagSelectorSchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (
      d.collaborationId === undefined &&
      d.configuredAudienceModelArn === undefined &&
      d.membershipId === undefined &&
      d.kinds === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'set membershipId, collaborationId, configuredAudienceModelArn, or kinds (for account-wide kinds)',
      });
      return;
    }
    if (d.view === 'collaboration' && d.collaborationId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['collaborationId'], message: 'is required with view: collaboration' });
      return;
    }
    d.kinds?.forEach((k, i) => {
      const l = entryList(d, ALL_KINDS.find((x) => x.kind === k)!);
      if ('reason' in l) ctx.addIssue({ code: 'custom', path: ['kinds', i], message: `cannot be listed by this entry: ${l.reason}` });
    });
  });

const pollingSchema = z.strictObject({
  /** node-cron expression with a seconds field. */
  schedule: z.string().refine(isCronWithSeconds, CRON_MESSAGE).default(DEFAULT_SCHEDULE),
  /** Get calls in flight at once. */
  concurrency: positiveInt(64).default(4),
  /**
   * Ceiling of the adaptive request rate (Get + List calls per second, per account and region).
   * No quota is published for these read APIs; the limiter backs off on ThrottlingException.
   */
  maxRequestsPerSecond: z.number({ error: 'must be a number' }).min(0.1, 'must be at least 0.1').max(100, 'must be at most 100').default(5),
  /** Notify on first sight of a job that is already ACTIVE/CREATE_FAILED/DELETE_FAILED (usually old news). */
  notifyOnFirstSeenTerminal: z.boolean({ error: 'must be true or false' }).default(false),
  /** How often a terminal job that only a Get can see (or a List scope of terminal static jobs) is checked. */
  terminalInterval: duration(10_000, '10s').default(600_000),
  /** Discovered terminal jobs not updated for this long are retired: series removed (0 = keep forever). */
  terminalRetention: duration(3_600_000, '1h (or 0 = keep forever)').default(7 * 86_400_000),
  /** Upper bound of the per-resource exponential backoff of resources whose calls keep failing. */
  maxBackoff: duration(1_000, '1s').default(600_000),
  /**
   * Pages one List scope may read in one sweep (100 resources a page): a guard against a
   * paginator that never ends. A scope that reaches it keeps what it read and is marked failed.
   */
  maxListPages: positiveInt(1_000_000).default(10_000),
});

const retrySchema = z
  .strictObject({
    baseDelayMs: positiveInt(3_600_000).default(5_000),
    maxDelayMs: positiveInt(86_400_000).default(900_000),
    // 0: no count limit, retried until maxAgeMs. A count gives up after a time that depends on the
    // jitter (15 attempts under the 15-minute cap: after 0.2-1.9 h), long before maxAgeMs, so a
    // receiver down for an afternoon would get nothing of it back.
    maxAttempts: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0 (0 = no limit: retried until maxAgeMs)')
      .max(1_000, 'must be at most 1000')
      .default(0),
    maxAgeMs: positiveInt(30 * 86_400_000).default(86_400_000),
  })
  .refine((r) => r.maxDelayMs >= r.baseDelayMs, { path: ['maxDelayMs'], error: 'must be at least retry.baseDelayMs' });

// Dead letters wait for an operator (`outbox retry`); a receiver gone for good must not make them
// grow without end in the state (memory, every checkpoint, every start). A week, as the terminal
// retention: a weekend and the days after an alert. 10,000 a target: one per resource of a large
// fleet; at most about 2.3 KB each in the state (the longest texts), so some 23 MB a target.
const deadLettersSchema = z.strictObject({
  maxCount: positiveInt(100_000).default(10_000),
  maxAgeMs: positiveInt(365 * 86_400_000).default(7 * 86_400_000),
});
/** The dead-letter bounds of a target the config does not name (any more): the defaults. */
export const DEFAULT_DEAD_LETTER_BOUNDS: Readonly<z.infer<typeof deadLettersSchema>> = Object.freeze(deadLettersSchema.parse({}));

/**
 * The keys every notification target has, whatever its type. A type's own keys (a webhook's
 * `secret`) are in its declaration, src/targets/<type>.ts; a key every type takes goes here.
 */
const targetCommonKeys = {
  name: z.string().regex(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}$/, 'must be 1-63 letters, digits, - _ . (it becomes a metric label)'),
  /** The receiver's URL: a secret (it carries the credential: Slack's token in the path, others' in a query value). */
  url: secretKey(
    z
      .string({ error: (iss) => (iss.input === undefined ? 'is required (or set urlFile)' : 'must be a string') })
      .min(1, 'is required (or set urlFile)'),
  ),
  /**
   * Statuses and status classes that notify. The default is by class (success and failure,
   * src/kinds DEFAULT_NOTIFY_CLASSES), so a `*_FAILED` value AWS adds is heard without a change.
   */
  statuses: z
    .array(notifyStatus)
    .min(1, 'must list at least one status')
    .default(() => [...DEFAULT_NOTIFY_CLASSES]),
  /** Only resources of these kinds (default: every kind). */
  kinds: z.array(kindName).min(1, 'must list at least one kind (or remove the key)').optional(),
  allowHttp: z.boolean({ error: 'must be true or false' }).default(false),
  /** Permit loopback and private (RFC 1918, fc00::/7...) addresses. Default: allowHttp. Link-local/metadata never. */
  allowPrivate: z.boolean({ error: 'must be true or false' }).optional(),
  timeoutMs: positiveInt(60_000).default(10_000),
  /** Only jobs whose whole name matches this JS regular expression (anchored). */
  jobNamePattern: z
    .string({ error: 'must be a string (a regular expression)' })
    .refine(
      (p) => compileJobNamePattern(p) !== undefined,
      'must be a valid JavaScript regular expression (matched against the whole job name)',
    )
    .optional(),
  /** Only jobs of these collaborations. */
  collaborationIds: z
    .array(z.string().regex(UUID_PATTERN, 'must be a collaboration id (a UUID)'))
    .min(1, 'must list at least one collaboration id (or remove the key)')
    .optional(),
  /** Every transition (any status change, first sight, vanished, metrics appearing), whatever `statuses` says. */
  everyTransition: z.boolean({ error: 'must be true or false' }).default(false),
  /** `<kind>.slower_than_usual` events (src/kinds/usual.ts); false: none to this target. */
  slowerThanUsual: z.boolean({ error: 'must be true or false' }).default(true),
  /** Only resources carrying these tags (src/config/tag-selector.ts). */
  tags: tagSelectorSchema.optional(),
  /** Only events that no target with `tags` took (src/notify/tag-route.ts). */
  fallback: z.boolean({ error: 'must be true or false' }).default(false),
  /** Messages per second to this target. Default: the type's (src/targets/<type>.ts). */
  ratePerSecond: z.number({ error: 'must be a number' }).gt(0, 'must be greater than 0').max(1000, 'must be at most 1000').optional(),
  /**
   * Delivery retry policy: exponential backoff with full jitter between baseDelayMs and maxDelayMs, until
   * maxAgeMs (and maxAttempts, when set) is used up; the last try falls on maxAgeMs.
   */
  retry: retrySchema.default(() => retrySchema.parse({})),
  /** Bounds of this target's dead letters; past them the oldest are dropped (logged and counted). */
  deadLetters: deadLettersSchema.default(() => deadLettersSchema.parse({})),
};

/** "a, b or c". */
const either = (names: readonly string[]): string =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
const TYPE_MESSAGE = `must be ${either(TARGET_TYPE_NAMES)}`;

/** Every key some type declares as its own. */
type TypeKeyName = { [K in AnyTargetType as K['type']]: keyof K['keys'] & string }[TargetTypeName];

/** The target object of one type: the common keys, its own, and every other type's key refused by name. */
function targetOption<T extends AnyTargetType>(t: T) {
  const foreign: Record<string, z.ZodType> = {};
  for (const other of TARGET_TYPES) {
    for (const key of Object.keys(other.keys)) {
      if (Object.hasOwn(t.keys, key) || Object.hasOwn(foreign, key)) continue;
      const owners = TARGET_TYPES.filter((o) => Object.hasOwn(o.keys, key)).map((o) => o.type);
      foreign[key] = z.undefined({ error: `only ${either(owners)} targets take ${key}; remove it from this ${t.type} target` }).optional();
    }
  }
  const own = Object.fromEntries(
    Object.entries(t.keys).map(([k, v]) => [k, (t.secretKeys as readonly string[]).includes(k) ? secretKey(v) : v]),
  );
  const shape = { ...targetCommonKeys, type: z.literal(t.type), ...foreign, ...own } as unknown as typeof targetCommonKeys & {
    type: z.ZodLiteral<T['type']>;
  } & { [K in Exclude<TypeKeyName, keyof T['keys']>]: z.ZodOptional<z.ZodUndefined> } & T['keys'];
  return z
    .strictObject(shape)
    .superRefine((target, ctx) => checkUrl(target as TargetCommon, t, ctx))
    .superRefine((target, ctx) => {
      if ((target as TargetCommon).fallback && (target as TargetCommon).tags !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['fallback'],
          message: 'a fallback target gets what no target with tags took, so it takes no tags of its own: remove tags or fallback',
        });
    })
    .transform((target) => {
      // Defaults that depend on other keys or on the type, filled once so the frozen config says what is in force.
      const common = target as TargetCommon;
      return {
        ...target,
        allowPrivate: common.allowPrivate ?? common.allowHttp,
        ratePerSecond: common.ratePerSecond ?? t.defaults.ratePerSecond,
      };
    });
}

type TargetCommon = z.output<z.ZodObject<typeof targetCommonKeys>>;

function checkUrl(target: TargetCommon, t: AnyTargetType, ctx: z.RefinementCtx): void {
  let u: URL | undefined;
  try {
    u = new URL(target.url);
  } catch {
    // Never echo the URL: webhook URLs are secrets (Slack's carry the token in the path).
    ctx.addIssue({ code: 'custom', path: ['url'], message: `must be an absolute URL such as ${t.urlExample}` });
    return;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an https:// URL' });
  } else if (u.protocol === 'http:' && !target.allowHttp) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be https (or set allowHttp: true)' });
  }
}

type TargetOption<T extends AnyTargetType> = ReturnType<typeof targetOption<T>>;
/** A configured target of any type: `type` tells which keys it has. */
export type NotificationTarget = { [K in AnyTargetType as K['type']]: z.output<TargetOption<K>> }[TargetTypeName];
type NotificationTargetInput = { [K in AnyTargetType as K['type']]: z.input<TargetOption<K>> }[TargetTypeName];

/** One object schema per type of the registry (src/targets/index.ts), chosen by `type`. */
const targetSchema = z.discriminatedUnion(
  'type',
  TARGET_TYPES.map((t) => targetOption(t)) as unknown as [TargetOption<AnyTargetType>, ...TargetOption<AnyTargetType>[]],
  {
    // A missing or unknown `type` (zod reports it at the `type` key): name the types there are.
    error: (iss) =>
      iss.code !== 'invalid_union'
        ? undefined
        : (iss.input as { type?: unknown } | undefined)?.type === undefined
          ? `is required: ${either(TARGET_TYPE_NAMES)}`
          : TYPE_MESSAGE,
  },
) as unknown as z.ZodType<NotificationTarget, NotificationTargetInput>;

/** The tag keys exported as labels (and shown in messages), and how often tags are read again. */
const tagsSchema = z.strictObject({
  /** Listed keys become labels `tag_<key>` of cleanroomsml_<kind>_tags (src/config/tag-label.ts): cardinality is the user's choice. */
  keys: z
    .array(
      z
        .string({ error: 'must be a tag key (a string)' })
        .min(1, 'must not be empty: tag keys are 1-128 characters')
        .max(128, 'must be at most 128 characters (a tag key)'),
    )
    .max(50, 'must list at most 50 keys (each is a label on every resource)')
    .default([])
    .superRefine((keys, ctx) => {
      const labels = new Map<string, number>();
      keys.forEach((k, i) => {
        const label = tagLabelName(k);
        const first = labels.get(label);
        if (first === undefined) labels.set(label, i);
        else if (keys[first] === k) ctx.addIssue({ code: 'custom', path: [i], message: `duplicates tags.keys[${first}]` });
        else
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `gives the label ${label}, as tags.keys[${first}] (${JSON.stringify(keys[first])}) does: two keys need two label names`,
          });
      });
    }),
  /** Each watched resource's tags are read again at most this long after they were (0: only when it is read anyway). */
  refreshInterval: duration(1_000, '1s (or 0 = only when the resource is read anyway)').default(6 * 3_600_000),
});

const portSchema = z
  .number()
  .int('must be a whole number')
  .min(0, 'must be a port number 0-65535')
  .max(65535, 'must be a port number 0-65535');

const adminSchema = z.strictObject({
  /** false: no admin listener (no JSON API; `outbox retry` then works only while no monitor runs). */
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  /** Keep it on loopback: the API has no authentication of its own. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests); the CLI needs a fixed one to reach a running monitor. */
  port: portSchema.default(9465),
});

// How long a status usually lasts and when a resource is slower than that (src/kinds/usual.ts).
const slowerSchema = z.strictObject({
  /** Slower than usual past factor x the p90 of the kind and status ... */
  factor: z.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(100, 'must be at most 100').default(2),
  /** ... and never before this long in the status. */
  minimum: duration(1000, '1s').default(600_000),
  /** Finished phases of a kind and status before its usual duration is exported and used. */
  minSamples: positiveInt(10_000).default(5),
});
const durationsSchema = z
  .strictObject({
    /** Finished phases kept in the state per kind and status; the usual duration is taken from them. */
    samples: positiveInt(1000).default(100),
    slowerThanUsual: slowerSchema.default(() => slowerSchema.parse({})),
  })
  .superRefine((d, ctx) => {
    if (d.slowerThanUsual.minSamples > d.samples)
      ctx.addIssue({
        code: 'custom',
        path: ['slowerThanUsual', 'minSamples'],
        message: `must be at most durations.samples (${d.samples}): no more phases are kept`,
      });
  });

export const configSchema = z
  .strictObject({
    aws: awsSchema.default(() => awsSchema.parse({})),
    /** Resources watched by ARN, of any kind. */
    resources: z.array(staticResourceSchema).default([]),
    /** Deprecated alias of `resources` (its name before every kind was a resource); not with it. */
    jobs: z.array(staticResourceSchema).default([]),
    discovery: z.array(discoverySchema).default([]),
    tags: tagsSchema.default(() => tagsSchema.parse({})),
    polling: pollingSchema.default(() => pollingSchema.parse({})),
    notifications: z.strictObject({ targets: z.array(targetSchema).default([]) }).default(() => ({ targets: [] })),
    state: z
      .strictObject({ dir: z.string().min(1).default('/var/lib/cleanroomsml-monitor') })
      .default(() => ({ dir: '/var/lib/cleanroomsml-monitor' })),
    server: z
      .strictObject({
        /** /metrics /healthz /readyz. */
        host: z.string().min(1).default('0.0.0.0'),
        port: portSchema.default(9464),
        /** The status page (/) and the JSON API (/api/resources, /api/outbox, POST /api/outbox/retry): loopback only by default. */
        admin: adminSchema.default(() => adminSchema.parse({})),
      })
      .superRefine((srv, ctx) => {
        if (srv.admin.enabled && srv.admin.port !== 0 && srv.admin.port === srv.port) {
          ctx.addIssue({ code: 'custom', path: ['admin', 'port'], message: `must differ from server.port (${srv.port})` });
        }
      })
      .default(() => ({ host: '0.0.0.0', port: 9464, admin: adminSchema.parse({}) })),
    sharding: z
      .strictObject({
        /** Replicas sharing the work by List scope (docs/deploy.md, "Sharding"); each finds its index from --shard or its StatefulSet pod ordinal. */
        totalShards: positiveInt(1000).default(1),
        /**
         * After the shard layout changes, how far before its own last sweep a pod looks for changes
         * to the resources it gained that their previous shard may have missed (docs/deploy.md).
         */
        handoverLookback: duration(0, '0s').default(600_000),
      })
      .default(() => ({ totalShards: 1, handoverLookback: 600_000 })),
    durations: durationsSchema.default(() => durationsSchema.parse({})),
    metrics: z
      .strictObject({
        /**
         * One-hot status series for every resource (all) or only for resources under way
         * (nonTerminalOnly: a resource at rest writes its current status alone, the zeros of its
         * other statuses are left out). The default keeps /metrics at ~60% of `all`: most of a fleet is at rest.
         */
        statusSeries: z.enum(['all', 'nonTerminalOnly'], { error: () => 'must be all or nonTerminalOnly' }).default('nonTerminalOnly'),
      })
      .default(() => ({ statusSeries: 'nonTerminalOnly' as const })),
    log: z
      .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .default(() => ({ level: 'info' as const })),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.notifications.targets.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['notifications', 'targets', i, 'name'],
          message: `duplicates notifications.targets[${first}].name; names must be unique`,
        });
      } else seen.set(t.name, i);
    });
    if (c.resources.length > 0 && c.jobs.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['jobs'],
        message: 'jobs is the deprecated name of resources: move these entries under resources',
      });
    const key = staticResourcesKey(c);
    const arns = new Map<string, number>();
    c[key].forEach((j, i) => {
      const id = j.versionIdentifier !== undefined ? `${j.arn}#version=${j.versionIdentifier}` : j.arn;
      const first = arns.get(id);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: [key, i, 'arn'], message: `duplicates ${key}[${first}]; list each resource once` });
      else arns.set(id, i);
    });
    if (c[key].length === 0 && c.discovery.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['resources'],
        message: 'nothing to watch: list ARNs under resources or add a discovery entry',
      });
    }
  });

/** Which key holds the resources watched by ARN: `resources`, or its deprecated alias `jobs`. */
function staticResourcesKey(c: { resources: readonly unknown[]; jobs: readonly unknown[] }): 'resources' | 'jobs' {
  return c.resources.length === 0 && c.jobs.length > 0 ? 'jobs' : 'resources';
}

/** The resources watched by ARN, under whichever name the file gave them. */
export function staticResourcesOf(c: Pick<Config, 'resources' | 'jobs'>): Config['resources'] {
  return c[staticResourcesKey(c)];
}

export type ConfigInput = z.input<typeof configSchema>;
/** The parsed, defaulted config. Frozen by the loader. */
export type Config = z.output<typeof configSchema>;
