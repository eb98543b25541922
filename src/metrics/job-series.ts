// The per-job series, rendered as exposition text straight from the store. At 10,000 jobs that is
// ~130,000 samples; going through prom-client's label maps costs ~0.8 s and ~200 MB per scrape, so
// each snapshot's lines are rendered once (cached on the snapshot object, which the store replaces
// on every change) and a scrape only joins them. The joined text is cached per state version.
import { isTerminal, JOB_STATUSES, type JobSnapshot } from '../domain.js';

export type StatusSeries = 'all' | 'nonTerminalOnly';

interface Family {
  name: string;
  help: string;
  lines: (j: JobSnapshot, mode: StatusSeries) => string;
}

/** Label value escaping of the text format: backslash, double quote and newline. */
function esc(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const P = 'cleanroomsml_audience_generation_job_';
const secs = (ms: number) => num(ms / 1000);

const FAMILIES: readonly Family[] = [
  {
    name: `${P}status`,
    help: 'Current status of the audience generation job: 1 for the current status, 0 for the others (metrics.statusSeries: nonTerminalOnly keeps only the current one for terminal jobs).',
    lines(j, mode) {
      const a = esc(j.arn);
      if (mode === 'nonTerminalOnly' && isTerminal(j.status)) return `${P}status{arn="${a}",status="${esc(j.status)}"} 1\n`;
      let out = '';
      for (const s of JOB_STATUSES) out += `${P}status{arn="${a}",status="${s}"} ${j.status === s ? 1 : 0}\n`;
      // An unknown future status is exported as given rather than hidden.
      if (!(JOB_STATUSES as readonly string[]).includes(j.status)) out += `${P}status{arn="${a}",status="${esc(j.status)}"} 1\n`;
      return out;
    },
  },
  {
    name: `${P}info`,
    help: 'Static facts about the audience generation job; always 1.',
    lines: (j) =>
      `${P}info{arn="${esc(j.arn)}",name="${esc(j.name)}",collaboration_id="${esc(j.collaborationId ?? '')}",configured_audience_model_arn="${esc(j.configuredAudienceModelArn)}"} 1\n`,
  },
  {
    name: `${P}created_timestamp_seconds`,
    help: 'Unix time the audience generation job was created.',
    lines: (j) => `${P}created_timestamp_seconds{arn="${esc(j.arn)}"} ${secs(j.createTime)}\n`,
  },
  {
    name: `${P}updated_timestamp_seconds`,
    help: 'Unix time the audience generation job was last updated.',
    lines: (j) => `${P}updated_timestamp_seconds{arn="${esc(j.arn)}"} ${secs(j.updateTime)}\n`,
  },
  {
    name: `${P}relevance_score`,
    help: 'Relevance score of the generated audience for one audience size.',
    lines(j) {
      let out = '';
      const seen = new Set<string>();
      for (const m of j.metrics?.relevanceMetrics ?? []) {
        if (m.score === undefined) continue;
        const key = `${m.audienceSize.type}|${m.audienceSize.value}`;
        if (seen.has(key)) continue; // one sample per label set, as a gauge would keep
        seen.add(key);
        out += `${P}relevance_score{arn="${esc(j.arn)}",audience_size_type="${esc(m.audienceSize.type)}",audience_size="${esc(String(m.audienceSize.value))}"} ${num(m.score)}\n`;
      }
      return out;
    },
  },
  {
    name: `${P}recall_ratio`,
    help: 'Recall of the generated audience (0-1).',
    lines: (j) => (j.metrics?.recallMetric !== undefined ? `${P}recall_ratio{arn="${esc(j.arn)}"} ${num(j.metrics.recallMetric)}\n` : ''),
  },
];

export const JOB_FAMILY_NAMES: readonly string[] = FAMILIES.map((f) => f.name);

/** Renders the job families; call render() per scrape. */
export class JobSeriesRenderer {
  private readonly perJob = new WeakMap<JobSnapshot, { mode: StatusSeries; parts: string[] }>();
  private cached: { key: string; text: string } | undefined;

  /**
   * `version` must change whenever the job map changes (the caller bumps it on every commit);
   * undefined disables the whole-text cache (per-job lines are still reused).
   */
  render(jobs: ReadonlyMap<string, JobSnapshot>, mode: StatusSeries, version?: number): string {
    const key = `${version}|${mode}|${jobs.size}`;
    if (version !== undefined && this.cached?.key === key) return this.cached.text;
    const chunks: string[][] = FAMILIES.map(() => []);
    for (const j of jobs.values()) {
      let e = this.perJob.get(j);
      if (!e || e.mode !== mode) {
        e = { mode, parts: FAMILIES.map((f) => f.lines(j, mode)) };
        this.perJob.set(j, e);
      }
      for (let i = 0; i < FAMILIES.length; i++) if (e.parts[i]) chunks[i]!.push(e.parts[i]!);
    }
    // Same layout as prom-client: families separated by a blank line.
    const text = FAMILIES.map((f, i) => `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n${chunks[i]!.join('')}`).join('\n');
    if (version !== undefined) this.cached = { key, text };
    return text;
  }
}
