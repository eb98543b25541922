// The config contract (README "Configuration", config/example.yaml). Strict objects everywhere: an unknown key is an error that
// names its path, because a typo such as `statusses:` silently meaning "default" is worse than a refusal.
import { z } from 'zod';
import { VANISHED } from '../domain.js';
import { entryList } from '../kinds/discovery.js';
import { ALL_KINDS, KIND_NAMES, kindOfArn } from '../kinds/index.js';
import { CRON_MESSAGE, DEFAULT_SCHEDULE, isCronWithSeconds } from './schedule.js';
import { compileJobNamePattern } from '../notify/job-name-pattern.js';
import { parseDuration } from './duration.js';
import { MODEL_ARN_RE, parseArn } from '../aws/arn.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Every status of every kind, and VANISHED. */
const ALL_STATUSES = [...new Set([...ALL_KINDS.flatMap((k) => Object.keys(k.statuses)), VANISHED])] as [string, ...string[]];
const notifyStatus = z.enum(ALL_STATUSES, {
  // A status name is not secret, so SUCCEEDED (the usual guess) can get a direct answer.
  error: (iss) =>
    `must be one of ${ALL_STATUSES.join(', ')}${iss.input === 'SUCCEEDED' ? ' (success is ACTIVE; there is no SUCCEEDED)' : ''}`,
});
const kindName = z.enum(KIND_NAMES, { error: () => `must be one of ${KIND_NAMES.join(', ')}` });
/** ARN shapes of the kinds that have one, for messages. */
const ARN_KINDS = ALL_KINDS.filter((k) => k.arn).map((k) => k.arn!.resourceType);

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
  /** Role to assume (STS) for every job and discovery entry that names none. Default: the credential chain's identity. */
  roleArn,
});

const jobSchema = z
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
      ctx.addIssue({ code: 'custom', path: ['versionIdentifier'], message: `only trained models have versions; a ${kind.title} has none` });
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
  /** Upper bound of the per-job exponential backoff of jobs whose calls keep failing. */
  maxBackoff: duration(1_000, '1s').default(600_000),
});

const targetSchema = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,62}$/, 'must be 1-63 letters, digits, - _ . (it becomes a metric label)'),
    type: z.enum(['slack', 'webhook'], { error: () => 'must be slack or webhook' }),
    url: z
      .string({ error: (iss) => (iss.input === undefined ? 'is required (or set urlFile)' : 'must be a string') })
      .min(1, 'is required (or set urlFile)'),
    /** Statuses that notify; absent: each kind's success and failure statuses (src/kinds defaultNotifyStatuses). */
    statuses: z.array(notifyStatus).min(1, 'must list at least one status').optional(),
    /** Only resources of these kinds (default: every kind). */
    kinds: z.array(kindName).min(1, 'must list at least one kind (or remove the key)').optional(),
    /** Standard Webhooks secret(s), whsec_<base64>; several during key rotation (all are used to sign). */
    secret: z
      .union([z.string(), z.array(z.string()).min(1)], { error: 'must be a whsec_ string or a list of them (or set secretFile)' })
      .optional(),
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
    /** Messages per second to this target. Default: slack 1 (Slack's limit per webhook), webhook 10. */
    ratePerSecond: z.number({ error: 'must be a number' }).gt(0, 'must be greater than 0').max(1000, 'must be at most 1000').optional(),
    /** Delivery retry policy (exponential backoff with full jitter between baseDelayMs and maxDelayMs). */
    retry: z
      .strictObject({
        baseDelayMs: positiveInt(3_600_000).default(5_000),
        maxDelayMs: positiveInt(86_400_000).default(900_000),
        maxAttempts: positiveInt(1_000).default(15),
        maxAgeMs: positiveInt(30 * 86_400_000).default(86_400_000),
      })
      .refine((r) => r.maxDelayMs >= r.baseDelayMs, { path: ['maxDelayMs'], error: 'must be at least retry.baseDelayMs' })
      .default(() => ({ baseDelayMs: 5_000, maxDelayMs: 900_000, maxAttempts: 15, maxAgeMs: 86_400_000 })),
  })
  .superRefine((t, ctx) => {
    let u: URL | undefined;
    try {
      u = new URL(t.url);
    } catch {
      // Never echo the URL: webhook URLs are secrets (Slack's carry the token in the path).
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an absolute URL such as https://hooks.slack.com/services/...' });
      return;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an https:// URL' });
    } else if (u.protocol === 'http:' && !t.allowHttp) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be https (or set allowHttp: true)' });
    }
    if (t.secret !== undefined) {
      if (t.type !== 'webhook') {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: 'only webhook targets are signed; remove it from this slack target' });
      }
      const secrets = Array.isArray(t.secret) ? t.secret : [t.secret];
      secrets.forEach((s, i) => {
        const body = s.startsWith('whsec_') ? s.slice('whsec_'.length) : '';
        if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || Buffer.from(body, 'base64').length < 16) {
          ctx.addIssue({
            code: 'custom',
            path: Array.isArray(t.secret) ? ['secret', i] : ['secret'],
            message: 'must be whsec_ followed by base64 of at least 16 random bytes (e.g. "whsec_$(openssl rand -base64 32)")',
          });
        }
      });
    }
  })
  // Defaults that depend on other keys, filled once so the frozen config says what is in force.
  .transform((t) => ({
    ...t,
    allowPrivate: t.allowPrivate ?? t.allowHttp,
    ratePerSecond: t.ratePerSecond ?? (t.type === 'slack' ? 1 : 10),
  }));

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

export const configSchema = z
  .strictObject({
    aws: awsSchema.default(() => awsSchema.parse({})),
    jobs: z.array(jobSchema).default([]),
    discovery: z.array(discoverySchema).default([]),
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
        /** The JSON API (/api/jobs, /api/outbox, POST /api/outbox/retry): loopback only by default. */
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
    metrics: z
      .strictObject({
        /** One-hot status series for every job (all) or only for jobs not in a terminal status (nonTerminalOnly). */
        statusSeries: z.enum(['all', 'nonTerminalOnly'], { error: () => 'must be all or nonTerminalOnly' }).default('all'),
      })
      .default(() => ({ statusSeries: 'all' as const })),
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
    const arns = new Map<string, number>();
    c.jobs.forEach((j, i) => {
      const first = arns.get(j.arn);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['jobs', i, 'arn'], message: `duplicates jobs[${first}].arn; list each job once` });
      else arns.set(j.arn, i);
    });
    if (c.jobs.length === 0 && c.discovery.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['jobs'], message: 'nothing to watch: list job ARNs under jobs or add a discovery entry' });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
/** The parsed, defaulted config. Frozen by the loader. */
export type Config = z.output<typeof configSchema>;
export type NotificationTarget = Config['notifications']['targets'][number];
