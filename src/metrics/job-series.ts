// The per-job series, rendered as exposition text straight from the store. At 10,000 jobs that is
// ~130,000 samples and ~26 MB of text; going through prom-client's label maps costs ~0.8 s and
// ~200 MB per scrape. So each snapshot's lines are rendered once (cached on the snapshot object,
// which the store replaces on every change), and a scrape streams them out in ~64 KB chunks: no
// whole-body string, so a scrape's garbage is bounded by the socket's backpressure, not the fleet.
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

/** Size of one streamed chunk (characters; the text is ASCII except for label values). */
const CHUNK_CHARS = 64 * 1024;

/** Renders the job families; call chunks() (streaming) or render() per scrape. */
export class JobSeriesRenderer {
  private readonly perJob = new WeakMap<JobSnapshot, { mode: StatusSeries; parts: string[] }>();

  private parts(j: JobSnapshot, mode: StatusSeries): string[] {
    let e = this.perJob.get(j);
    if (!e || e.mode !== mode) {
      e = { mode, parts: FAMILIES.map((f) => f.lines(j, mode)) };
      this.perJob.set(j, e);
    }
    return e.parts;
  }

  /**
   * The exposition text in chunks of about 64 KB. The job list is taken when the first chunk is
   * pulled, so a commit landing while a slow scraper reads the rest never mixes two states.
   * Same layout as prom-client: families separated by a blank line.
   */
  *chunks(jobs: ReadonlyMap<string, JobSnapshot>, mode: StatusSeries): Generator<string> {
    const parts = Array.from(jobs.values(), (j) => this.parts(j, mode));
    let buf = '';
    for (let i = 0; i < FAMILIES.length; i++) {
      const f = FAMILIES[i]!;
      buf += `${i > 0 ? '\n' : ''}# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n`;
      for (const p of parts) {
        const line = p[i]!;
        if (line === '') continue;
        buf += line;
        if (buf.length >= CHUNK_CHARS) {
          yield buf;
          buf = '';
        }
      }
    }
    if (buf !== '') yield buf;
  }

  /** The whole text as one string (small fleets, tests, `registry.metrics()`). */
  render(jobs: ReadonlyMap<string, JobSnapshot>, mode: StatusSeries): string {
    return [...this.chunks(jobs, mode)].join('');
  }
}
