// The budget of histories and durations at fleet size, in process, each against a baseline of the
// same run: the state bytes a history adds per resource (50 status changes each, through the real
// file store and its checkpoint), and what the duration families add to /metrics (every kind with
// every status observed and a usual known: the most series they can have).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { HISTORY_ENTRIES, type HistoryEntry } from '../src/kinds/history.js';
import { ALL_KINDS } from '../src/kinds/index.js';
import type { ResourceSnapshot } from '../src/kinds/resource.js';
import { createLogger } from '../src/log.js';
import { createDurationMetrics } from '../src/metrics/duration-metrics.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { resourceFromJob } from '../src/state/legacy-job.js';
import { openStateStore, STATE_FILE } from '../src/state/store.js';
import type { HistoryUpdate } from '../src/state/types.js';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const STATUSES = ['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'ACTIVE', 'DELETE_PENDING', 'DELETE_IN_PROGRESS'];
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/5f6e7d8c-1111-4222-8333-444455556666';

const hex = (i: number, width: number) => i.toString(16).padStart(width, '0');
function fleet(n: number): ResourceSnapshot[] {
  return Array.from({ length: n }, (_, i) =>
    resourceFromJob({
      arn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${hex(i, 8)}-aaaa-4bbb-8ccc-${hex(i, 12)}`,
      name: `lookalike-${i}`,
      status: i % 10 === 0 ? 'CREATE_IN_PROGRESS' : 'ACTIVE',
      createTime: T0,
      updateTime: T0 + i,
      configuredAudienceModelArn: MODEL,
      collaborationId: '5f6e7d8c-0000-4000-8000-000000000001',
      detail: 'full',
    }),
  );
}

/** state.json bytes of `resources`, with `changes` history entries each (0: the baseline). */
async function stateBytes(resources: ResourceSnapshot[], changes: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'crml-bench-history-'));
  try {
    const store = await openStateStore({ dir, clock: { now: () => T0 }, log: createLogger({ level: 'silent' }) });
    await store.commit({ upsert: resources, remove: [], enqueue: [] });
    for (let c = 0; c < changes; c++) {
      const history: HistoryUpdate[] = resources.map((r) => {
        const startedAt = T0 + c * 7_983_000;
        const e: HistoryEntry = { status: STATUSES[c % STATUSES.length]!, startedAt, seenAt: startedAt + 17_345 };
        return { id: r.id, entry: c === 0 ? { ...e, firstSight: true } : e };
      });
      await store.commit({ upsert: [], remove: [], enqueue: [], history });
    }
    await store.close(); // the checkpoint
    return (await stat(join(dir, STATE_FILE))).size;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** /metrics bytes with and without the duration families, every kind and status observed. */
async function metricsBytes(resources: ResourceSnapshot[]): Promise<{ base: number; with: number; series: number }> {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const source = { resources: () => byId, pending: () => [], deadLetters: () => [], targetNames: () => ['team'], now: () => T0 };
  const base = new Registry();
  createMetrics(base, source, 'bench');
  const baseText = await base.metrics();
  const registry = new Registry();
  createMetrics(registry, source, 'bench');
  const samples = new Map<string, number[]>();
  const d = createDurationMetrics(registry, {
    resources: () => byId,
    durations: () => samples,
    settings: () => ({ samples: 100, slowerThanUsual: { factor: 2, minimum: 600_000, minSamples: 5 } }),
    now: () => T0 + 1e9,
  });
  for (const k of ALL_KINDS)
    for (const status of k.statuses) {
      samples.set(
        `${k.kind} ${status}`,
        Array.from({ length: 100 }, (_, i) => 60 + i * 97),
      );
      for (let i = 0; i < 100; i++) d.phase(k.kind, status, 60 + i * 97);
    }
  const text = await registry.metrics();
  const series = text.split('\n').filter((l) => /^cleanroomsml_(\w+_status_duration|monitor_slower_than_usual)/.test(l)).length;
  return { base: Buffer.byteLength(baseText), with: Buffer.byteLength(text), series };
}

export async function durationsScenario(n: number, log: (s: string) => void): Promise<string> {
  const resources = fleet(n);
  log(`durations: state of ${n} resources without history, then with ${HISTORY_ENTRIES} changes each`);
  const without = await stateBytes(resources, 0);
  const withHistory = await stateBytes(resources, HISTORY_ENTRIES);
  const perResource = (withHistory - without) / n;
  log('durations: /metrics with and without the duration families');
  const m = await metricsBytes(resources);
  const share = (m.with - m.base) / m.base;
  const row = (k: string, v: string, target: string, ok: boolean) => `| ${k} | ${v} | ${target} | ${ok ? 'yes' : 'NO'} |`;
  return [
    `cleanroomsml-monitor bench, durations: ${n} resources, in process`,
    '',
    '| measure | value | target | met |',
    '|---|---|---|---|',
    row(
      `state bytes a history of ${HISTORY_ENTRIES} status changes adds per resource (checkpoint)`,
      `${perResource.toFixed(0)} B (state.json ${(without / 1e6).toFixed(1)} MB -> ${(withHistory / 1e6).toFixed(1)} MB)`,
      '<= 2048 B',
      perResource <= 2048,
    ),
    row(
      '/metrics bytes the duration families add (every kind and status observed, usual known)',
      `${(share * 100).toFixed(2)} % (${m.series} lines, ${((m.with - m.base) / 1e3).toFixed(0)} KB over ${(m.base / 1e6).toFixed(1)} MB)`,
      '<= 5 %',
      share <= 0.05,
    ),
    '',
  ].join('\n');
}
