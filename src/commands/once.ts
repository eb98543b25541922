// `once`: one read-only sweep of every configured job (List-first, then Get for details), read
// through the same identities (roles, regions) as `run`, printed as a table or JSON. It touches
// no state dir and sends no notification.
import { createAnswerIssueLog } from '../aws/answer-issue-log.js';
import type { AwsCredentialIdentityProvider } from '../aws/api.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../domain.js';
import type { Logger } from '../log.js';
import type { ResourceClient } from '../aws/resource-client.js';
import { pollerRuntime } from '../app.js';
import { createMemoryStore } from '../state/memory.js';
import { createPoller } from '../poll/poller.js';
import { onceSpec } from '../poll/spec.js';
import { JobTracker } from '../poll/tracker.js';
import { resourceToWire } from '../aws/resource-wire.js';
import { KINDS } from '../kinds/index.js';
import { singleResult, type ResourceSnapshot } from '../kinds/resource.js';

/** A resource that could not be read, a List that failed, or the sweep as a whole. */
export type OnceError =
  | { arn: string; error: string }
  | { scope: { kind: string; list: string; params: Record<string, string> }; error: string }
  | { error: string };

export interface OnceResult {
  ok: boolean;
  /** Audience generation jobs, by name. */
  jobs: ResourceSnapshot[];
  /** Resources of the other kinds, by kind then name. */
  resources: ResourceSnapshot[];
  errors: OnceError[];
}

export interface OnceDeps {
  clock: Clock;
  log: Logger;
  /** Replaces every real client (tests). */
  resources?: ResourceClient;
  /** Base identity (default: the AWS SDK's Node.js provider chain). */
  credentials?: AwsCredentialIdentityProvider;
}

export async function runOnce(config: Config, deps: OnceDeps): Promise<OnceResult> {
  const store = createMemoryStore();
  const tracker = new JobTracker();
  const runtime = pollerRuntime(config, onceSpec(config), {
    clock: deps.clock,
    ...(deps.resources ? { resources: deps.resources } : {}),
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    onAnswerIssue: createAnswerIssueLog({ warn: (fields, msg) => deps.log.warn(fields, msg), count: () => {} }),
  });
  const poller = createPoller({
    store,
    tracker,
    clock: deps.clock,
    log: deps.log,
    runtime: () => runtime,
    detailBudget: Number.POSITIVE_INFINITY,
  });
  const report = await poller.sweep();
  const errors: OnceError[] = [];
  if (report === undefined) errors.push({ error: 'the sweep failed; the log on stderr says why' });
  for (const e of report?.scopeErrors ?? []) errors.push({ scope: e.scope, error: e.error });
  for (const arn of tracker.arns()) {
    const e = tracker.get(arn)?.lastError;
    if (e) errors.push({ arn, error: e.message });
  }
  const all = [...store.resources().values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
  // Audience generation jobs keep the table and the `jobs` member they had before other kinds
  // were watched (scripts read them); every other kind follows in `resources`.
  const isJob = (s: ResourceSnapshot) => s.kind === 'audienceGenerationJob';
  return { ok: report?.ok === true && errors.length === 0, jobs: all.filter(isJob), resources: all.filter((s) => !isJob(s)), errors };
}

function formatOnceJson(r: OnceResult): string {
  // `resources` only when some other kind is watched: the output of a config of jobs alone is unchanged.
  const resources =
    r.resources.length > 0 ? { resources: r.resources.map((s) => ({ kind: s.kind, id: s.id, ...resourceToWire(KINDS[s.kind], s) })) } : {};
  const jobs = r.jobs.map((s) => resourceToWire(KINDS[s.kind], s));
  return `${JSON.stringify({ jobs, ...resources, errors: r.errors }, null, 2)}\n`;
}

function errorSubject(e: OnceError): string {
  if ('arn' in e) return `${e.arn}: `;
  if ('scope' in e)
    return `${e.scope.list} ${Object.entries(e.scope.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}: `;
  return '';
}

function formatOnceTable(r: OnceResult): string {
  const rows = [
    ['NAME', 'STATUS', 'UPDATED', 'RECALL'],
    ...r.jobs.map((j) => [
      j.name,
      j.status,
      new Date(j.updateTime).toISOString().replace('.000Z', 'Z'),
      singleResult(j, 'recall_ratio')?.toFixed(3) ?? '-',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  if (r.resources.length > 0) {
    const more = [
      ['KIND', 'NAME', 'STATUS', 'UPDATED', 'ID'],
      ...r.resources.map((s) => [s.kind, s.name, s.status, new Date(s.updateTime).toISOString().replace('.000Z', 'Z'), s.id]),
    ];
    const w = more[0]!.map((_, c) => Math.max(...more.map((row) => row[c]!.length)));
    lines.push(
      '',
      ...more.map((row) =>
        row
          .map((cell, c) => cell.padEnd(w[c]!))
          .join('  ')
          .trimEnd(),
      ),
    );
  }
  for (const e of r.errors) lines.push(`error: ${errorSubject(e)}${e.error}`);
  return `${lines.join('\n')}\n`;
}

/** The verb: exit 0 when every List and Get succeeded, 1 otherwise. */
export async function onceCommand(
  config: Config,
  io: { json: boolean; out: (s: string) => void; log: Logger; clock: Clock },
): Promise<number> {
  const r = await runOnce(config, { clock: io.clock, log: io.log });
  io.out(io.json ? formatOnceJson(r) : formatOnceTable(r));
  return r.ok ? 0 : 1;
}
