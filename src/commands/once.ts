// `once`: one read-only sweep of every configured resource (List-first, then Get for details),
// read through the same identities (roles, regions) as `run`, printed as a table or JSON. It
// touches no state dir and sends no notification. A kind that declares `once` (the one the first
// releases watched alone) keeps its own JSON member and table, which scripts read; every other
// kind is listed under `resources`.
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
import { ResourceTracker } from '../poll/tracker.js';
import { resourceToWire } from '../aws/resource-wire.js';
import { ALL_KINDS, KINDS } from '../kinds/index.js';
import type { KindDecl, OnceDecl } from '../kinds/kind.js';
import { singleResult, type ResourceSnapshot } from '../kinds/resource.js';

/** A resource that could not be read, a List that failed, or the sweep as a whole. */
export type OnceError =
  | { arn: string; error: string }
  | { scope: { kind: string; list: string; params: Record<string, string> }; error: string }
  | { error: string };

export interface OnceResult {
  ok: boolean;
  /** Every resource read, by kind, then name, then id. */
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
  const tracker = new ResourceTracker();
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
  for (const arn of tracker.ids()) {
    const e = tracker.get(arn)?.lastError;
    if (e) errors.push({ arn, error: e.message });
  }
  const resources = [...store.resources().values()].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
  return { ok: report?.ok === true && errors.length === 0, resources, errors };
}

/** The kinds with a `once` member of their own, each with its resources, and the other resources. */
function grouped(r: OnceResult): { own: Array<{ kind: KindDecl; once: OnceDecl; items: ResourceSnapshot[] }>; rest: ResourceSnapshot[] } {
  const own = ALL_KINDS.flatMap((kind) =>
    kind.once ? [{ kind, once: kind.once, items: r.resources.filter((s) => s.kind === kind.kind) }] : [],
  );
  return { own, rest: r.resources.filter((s) => KINDS[s.kind].once === undefined) };
}

function formatOnceJson(r: OnceResult): string {
  const { own, rest } = grouped(r);
  // A kind's own member is always there, as scripts expect; `resources` only when some other kind
  // is watched, so the output of a config of such a kind alone is what it always was.
  const out: Record<string, unknown> = {};
  for (const g of own) out[g.once.member] = g.items.map((s) => resourceToWire(g.kind, s));
  if (rest.length > 0) out['resources'] = rest.map((s) => ({ kind: s.kind, id: s.id, ...resourceToWire(KINDS[s.kind], s) }));
  out['errors'] = r.errors;
  return `${JSON.stringify(out, null, 2)}\n`;
}

function errorSubject(e: OnceError): string {
  if ('arn' in e) return `${e.arn}: `;
  if ('scope' in e)
    return `${e.scope.list} ${Object.entries(e.scope.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}: `;
  return '';
}

/** Rows as aligned text columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}

const updated = (s: ResourceSnapshot): string => new Date(s.updateTime).toISOString().replace('.000Z', 'Z');

function formatOnceTable(r: OnceResult): string {
  const { own, rest } = grouped(r);
  const tables = own.map((g) =>
    table([
      ['NAME', 'STATUS', 'UPDATED', g.once.column.title],
      ...g.items.map((s) => [s.name, s.status, updated(s), singleResult(s, g.once.column.result)?.toFixed(3) ?? '-']),
    ]),
  );
  if (rest.length > 0)
    tables.push(table([['KIND', 'NAME', 'STATUS', 'UPDATED', 'ID'], ...rest.map((s) => [s.kind, s.name, s.status, updated(s), s.id])]));
  const lines = tables.flatMap((t, i) => (i === 0 ? t : ['', ...t]));
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
