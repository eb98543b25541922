// The per-job series, rendered as exposition text straight from the store. At 10,000 jobs that is
// ~130,000 samples and ~26 MB of text; going through prom-client's label maps costs ~0.8 s and
// ~200 MB per scrape. So the text is kept as UTF-8 pieces (one family x one bucket of jobs),
// rendered again only when a job of the piece changes, and a scrape streams them out: no
// whole-body string, no re-encoding. For gzip (which Prometheus asks for) the compressed pieces are
// kept too, so a scrape compresses only what changed (src/metrics/gzip.ts).
import { isTerminal, JOB_STATUSES, type JobSnapshot } from '../domain.js';
import { createPieceDeflate, type DeflatedPiece, type PieceDeflate } from './gzip.js';

export type StatusSeries = 'all' | 'nonTerminalOnly';

/** One metric family: its name, help and the lines one snapshot contributes to it. */
export interface Family<S> {
  name: string;
  help: string;
  lines: (s: S, mode: StatusSeries) => string;
}

/** Label value escaping of the text format: backslash, double quote and newline. */
export function esc(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

export function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const P = 'cleanroomsml_audience_generation_job_';
const secs = (ms: number) => num(ms / 1000);

const FAMILIES: readonly Family<JobSnapshot>[] = [
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
    name: `${P}status_since_timestamp_seconds`,
    help: 'Unix time the current status began (the updateTime at which the monitor first saw this status).',
    lines: (j) => `${P}status_since_timestamp_seconds{arn="${esc(j.arn)}"} ${secs(j.statusSince ?? j.updateTime)}\n`,
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

/**
 * Jobs are spread over buckets by a hash of their ARN; the lines of one family for one bucket are
 * a piece, rendered (and, for gzip, compressed) again only when a job of that bucket changed,
 * came or went. 512 buckets: ~20 jobs per piece at 10,000 jobs, so a sweep with 40 changes redoes
 * ~8% of the text.
 */
const BUCKETS = 512;

interface Piece<S> {
  /** The snapshots rendered, in order; the store replaces a snapshot object on every change. */
  members: S[];
  /**
   * Storage of the piece's UTF-8 text, with a little room to spare. A changed piece is rendered into the
   * same storage when no scrape holds it, so steady churn allocates nothing: replaced buffers
   * would otherwise wait for a major GC and fragment the malloc heap (~50 MB at 10,000 jobs).
   */
  storage: Buffer;
  /** The text: a view of storage. */
  plain: Buffer;
  /** Compressed on the first gzip scrape that needs it. */
  deflated?: Promise<DeflatedPiece>;
}

/** One scrape's view of the job series: unchanged until release(), which must be called once. */
export interface Lease<T> {
  value: T;
  release(): void;
}

/**
 * Room to spare for a piece that grows a little (a job got its scores; a status change keeps the
 * length): ~3%, as the storage of 10,000 jobs is ~26 MB.
 */
function capacityFor(bytes: number): number {
  return (bytes + (bytes >> 5) + 255) & ~255;
}

/** FNV-1a over the ARN: a stable, cheap bucket choice (not security relevant). */
function bucketOf(arn: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < arn.length; i++) h = Math.imul(h ^ arn.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

function sameMembers<S>(a: readonly S[], b: readonly S[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function header<S>(families: readonly Family<S>[], i: number, first: boolean): Buffer {
  const f = families[i]!;
  return Buffer.from(`${i > 0 || !first ? '\n' : ''}# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n`, 'utf8');
}

/**
 * Renders a list of families per scrape: plain() hands out the text pieces (leased), gzipPieces()
 * the same bytes as cached deflate pieces. Both list snapshots bucket by bucket (Prometheus
 * ignores sample order). `keyOf` is the snapshot's stable key (ARN or id): it picks the bucket.
 * `first`: whether this text starts the exposition (no blank line before its first header).
 */
export class SeriesRenderer<S extends object> {
  private readonly pieces = new Map<number, Piece<S>>();
  private readonly headers: Buffer[];

  constructor(
    private readonly families: readonly Family<S>[],
    private readonly keyOf: (s: S) => string,
    private readonly deflatePiece: PieceDeflate = createPieceDeflate(),
    first = true,
  ) {
    this.headers = families.map((_, i) => header(families, i, first));
  }

  /** Where a piece's lines are rendered before they are copied into its storage (grows as needed). */
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);
  private readonly bucket = new WeakMap<S, number>();
  private headersDeflated: Array<Promise<DeflatedPiece>> | undefined;
  private mode: StatusSeries | undefined;
  /** Scrapes (and compressions) still reading piece storage: while any runs, nothing is rewritten in place. */
  private leases = 0;

  /** Scrapes (and compressions) in flight that hold pieces; /metrics tests check it returns to 0. */
  get activeLeases(): number {
    return this.leases;
  }

  private lease(): () => void {
    this.leases++;
    let held = true;
    return () => {
      if (held) {
        held = false;
        this.leases--;
      }
    };
  }

  /**
   * Render the members' lines into the piece's storage when nobody reads it and they fit, else
   * into new storage. Lines go through a scratch buffer, not one big string per piece: a full
   * re-render is ~26 MB of text at 10,000 jobs, which as strings would be promoted garbage.
   */
  private store(old: Piece<S> | undefined, members: readonly S[], f: Family<S>, mode: StatusSeries): { storage: Buffer; plain: Buffer } {
    let bytes = 0;
    for (const j of members) {
      const line = f.lines(j, mode);
      if (bytes + line.length * 3 > this.scratch.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(this.scratch.length * 2, bytes + line.length * 3));
        this.scratch.copy(bigger, 0, 0, bytes);
        this.scratch = bigger;
      }
      bytes += this.scratch.write(line, bytes, 'utf8');
    }
    let storage = old?.storage;
    // Shrunk to under half: give the room back rather than keep it forever.
    if (!storage || this.leases > 0 || storage.length < bytes || capacityFor(bytes) * 2 < storage.length) {
      storage = Buffer.allocUnsafeSlow(capacityFor(bytes));
    }
    this.scratch.copy(storage, 0, 0, bytes);
    return { storage, plain: storage.subarray(0, bytes) };
  }

  /**
   * The pieces of this instant, in output order (family by family, bucket by bucket; a number
   * for a family header). Built synchronously, so a commit never mixes into a scrape in progress.
   */
  private current(jobs: ReadonlyMap<string, S>, mode: StatusSeries): Array<Piece<S> | number> {
    if (mode !== this.mode) {
      this.pieces.clear();
      this.mode = mode;
    }
    const buckets: S[][] = Array.from({ length: BUCKETS }, () => []);
    for (const j of jobs.values()) {
      let b = this.bucket.get(j);
      if (b === undefined) this.bucket.set(j, (b = bucketOf(this.keyOf(j))));
      buckets[b]!.push(j);
    }
    const out: Array<Piece<S> | number> = [];
    for (let i = 0; i < this.families.length; i++) {
      out.push(i);
      const f = this.families[i]!;
      for (let b = 0; b < BUCKETS; b++) {
        const members = buckets[b]!;
        const key = i * BUCKETS + b;
        if (members.length === 0) {
          this.pieces.delete(key);
          continue;
        }
        let p = this.pieces.get(key);
        if (!p || !sameMembers(p.members, members)) {
          this.pieces.set(key, (p = { members, ...this.store(p, members, f, mode) }));
        }
        if (p.plain.length > 0) out.push(p);
      }
    }
    return out;
  }

  /**
   * The exposition text as the cached pieces themselves (whole lines, no copies: a scrape makes
   * no garbage of the fleet's size); same layout as prom-client. The state is taken now; the
   * buffers stay as they are until release() (call it once the response is written or gone).
   */
  plain(jobs: ReadonlyMap<string, S>, mode: StatusSeries): Lease<Buffer[]> {
    const value = this.current(jobs, mode).map((p) => (typeof p === 'number' ? this.headers[p]! : p.plain));
    return { value, release: this.lease() };
  }

  /**
   * The same bytes as deflate pieces for gzipFrame(), compressed in the thread pool when new.
   * The deflated data is never rewritten, so the result needs no lease.
   */
  async gzipPieces(jobs: ReadonlyMap<string, S>, mode: StatusSeries): Promise<DeflatedPiece[]> {
    const headers = (this.headersDeflated ??= this.headers.map((h) => this.deflatePiece(h)));
    const pending = this.current(jobs, mode).map((p) => {
      if (typeof p === 'number') return headers[p]!;
      if (p.deflated) return p.deflated;
      const piece = p;
      const deflated = (piece.deflated = this.deflatePiece(piece.plain));
      // A failed compression is not kept: the next scrape tries again.
      deflated.catch(() => delete piece.deflated);
      return deflated;
    });
    // The thread pool reads piece storage until every compression has settled.
    const release = this.lease();
    try {
      return await Promise.all(pending);
    } finally {
      await Promise.allSettled(pending);
      release();
    }
  }

  /** The whole text as one string (small fleets, tests, `registry.metrics()`). */
  render(jobs: ReadonlyMap<string, S>, mode: StatusSeries): string {
    const { value, release } = this.plain(jobs, mode);
    try {
      return Buffer.concat(value).toString('utf8');
    } finally {
      release();
    }
  }
}

/** The audience generation job families (names and shapes pinned by users' dashboards). */
export class JobSeriesRenderer extends SeriesRenderer<JobSnapshot> {
  constructor(deflatePiece: PieceDeflate = createPieceDeflate()) {
    super(FAMILIES, (j) => j.arn, deflatePiece);
  }
}
