// The per-resource series of every kind, rendered as exposition text straight from the store. At
// 10,000 resources that is ~130,000 samples and ~26 MB of text; going through prom-client's label
// maps costs ~0.8 s and ~200 MB per scrape. So the text is kept as UTF-8 pieces (one family x one
// bucket of resources of its kind), rendered again only when a resource of the piece changes, and
// a scrape streams them out: no whole-body string, no re-encoding. For gzip (which Prometheus
// asks for) the compressed pieces are kept too, so a scrape compresses only what changed
// (src/metrics/gzip.ts). What a piece says comes from the kind's declaration
// (resource-families.ts); nothing here depends on the kind.
import { ALL_KINDS } from '../kinds/index.js';
import type { KindDecl } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { createPieceDeflate, type DeflatedPiece, type PieceDeflate } from './gzip.js';
import { NO_TAG_LABELS, resourceFamilies, tagLabels, type Family, type StatusSeries, type TagLabels } from './resource-families.js';

/**
 * Resources are spread over buckets by a hash of their id; the lines of one family for one bucket
 * are a piece, rendered (and, for gzip, compressed) again only when a resource of that bucket
 * changed, came or went. 512 buckets per kind: ~20 resources per piece at 10,000 of a kind, so a
 * sweep with 40 changes redoes ~8% of the text.
 */
const BUCKETS = 512;

interface Piece {
  /** The snapshots rendered, in order; the store replaces a snapshot object on every change. */
  members: ResourceSnapshot[];
  /**
   * Storage of the piece's UTF-8 text, with a little room to spare. A changed piece is rendered into the
   * same storage when no scrape holds it, so steady churn allocates nothing: replaced buffers
   * would otherwise wait for a major GC and fragment the malloc heap (~50 MB at 10,000 resources).
   */
  storage: Buffer;
  /** The text: a view of storage. */
  plain: Buffer;
  /** Compressed on the first gzip scrape that needs it. */
  deflated?: Promise<DeflatedPiece>;
}

/** One scrape's view of the series: unchanged until release(), which must be called once. */
export interface Lease<T> {
  value: T;
  release(): void;
}

/**
 * Room to spare for a piece that grows a little (a job got its scores; a status change keeps the
 * length): ~3%, as the storage of 10,000 resources is ~26 MB.
 */
function capacityFor(bytes: number): number {
  return (bytes + (bytes >> 5) + 255) & ~255;
}

/** FNV-1a over the id: a stable, cheap bucket choice (not security relevant). */
function bucketOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function sameMembers(a: readonly ResourceSnapshot[], b: readonly ResourceSnapshot[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Renders the families of every declared kind per scrape, kind by kind in declaration order:
 * plain() hands out the text pieces (leased), gzipPieces() the same bytes as cached deflate
 * pieces. Within a family, resources are listed bucket by bucket (Prometheus ignores sample
 * order). The text starts the exposition: no blank line before its first header.
 */
export class ResourceSeriesRenderer {
  private readonly families: Family[] = [];
  /** For each family, the index of its kind. */
  private readonly familyKind: number[] = [];
  /** Resources of each kind in the last scrape: a kind with none then and now has no pieces to look at. */
  private counts: number[];
  private readonly kindIndex = new Map<string, number>();
  private readonly slots: number;
  private readonly headers: Buffer[];
  private readonly pieces = new Map<number, Piece>();
  /** Each snapshot's slot (kind index x BUCKETS + bucket), hashed once per snapshot object. */
  private readonly slotOf = new WeakMap<ResourceSnapshot, number>();
  /** Where a piece's lines are rendered before they are copied into its storage (grows as needed). */
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);
  private headersDeflated: Array<Promise<DeflatedPiece>> | undefined;
  private mode: StatusSeries | undefined;
  /** The tag keys the pieces were rendered with (`tags.keys`: a reload may change them). */
  private tags: TagLabels = NO_TAG_LABELS;
  /** Scrapes (and compressions) still reading piece storage: while any runs, nothing is rewritten in place. */
  private leases = 0;

  constructor(
    private readonly deflatePiece: PieceDeflate = createPieceDeflate(),
    kinds: readonly KindDecl[] = ALL_KINDS,
  ) {
    kinds.forEach((k, i) => {
      this.kindIndex.set(k.kind, i);
      for (const f of resourceFamilies(k)) {
        this.families.push(f);
        this.familyKind.push(i);
      }
    });
    this.slots = kinds.length * BUCKETS;
    this.counts = kinds.map(() => 0);
    this.headers = this.families.map((f, i) =>
      Buffer.from(`${i > 0 ? '\n' : ''}# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n`, 'utf8'),
    );
  }

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
   * re-render is ~26 MB of text at 10,000 resources, which as strings would be promoted garbage.
   */
  private store(
    old: Piece | undefined,
    members: readonly ResourceSnapshot[],
    f: Family,
    mode: StatusSeries,
  ): { storage: Buffer; plain: Buffer } {
    let bytes = 0;
    for (const s of members) {
      const line = f.lines(s, mode, this.tags);
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
  private current(resources: ReadonlyMap<string, ResourceSnapshot>, mode: StatusSeries, tagKeys: readonly string[]): Array<Piece | number> {
    if (mode !== this.mode || !sameKeys(tagKeys, this.tags.keys)) {
      this.pieces.clear();
      this.mode = mode;
      this.tags = tagLabels([...tagKeys]);
    }
    const bySlot: Array<ResourceSnapshot[] | undefined> = new Array<ResourceSnapshot[] | undefined>(this.slots);
    const counts = this.counts.map(() => 0);
    for (const s of resources.values()) {
      // Outside the discovery tag filters: kept for its tags, never exported.
      if (s.tagFiltered === true) continue;
      let slot = this.slotOf.get(s);
      if (slot === undefined) {
        const k = this.kindIndex.get(s.kind);
        // A kind with no declaration has no families to be rendered in (the store holds none).
        if (k === undefined) continue;
        this.slotOf.set(s, (slot = k * BUCKETS + bucketOf(s.id)));
      }
      (bySlot[slot] ??= []).push(s);
      counts[(slot / BUCKETS) | 0]!++;
    }
    const out: Array<Piece | number> = [];
    for (let i = 0; i < this.families.length; i++) {
      out.push(i);
      const k = this.familyKind[i]!;
      // None of this kind, now or at the last scrape: its pieces are all gone already.
      if (counts[k] === 0 && this.counts[k] === 0) continue;
      const f = this.families[i]!;
      const base = k * BUCKETS;
      for (let b = 0; b < BUCKETS; b++) {
        const members = bySlot[base + b];
        const key = i * BUCKETS + b;
        if (members === undefined) {
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
    this.counts = counts;
    return out;
  }

  /**
   * The exposition text as the cached pieces themselves (whole lines, no copies: a scrape makes
   * no garbage of the fleet's size); same layout as prom-client. The state is taken now; the
   * buffers stay as they are until release() (call it once the response is written or gone).
   */
  plain(resources: ReadonlyMap<string, ResourceSnapshot>, mode: StatusSeries, tagKeys: readonly string[] = []): Lease<Buffer[]> {
    const value = this.current(resources, mode, tagKeys).map((p) => (typeof p === 'number' ? this.headers[p]! : p.plain));
    return { value, release: this.lease() };
  }

  /**
   * The same bytes as deflate pieces for gzipFrame(), compressed in the thread pool when new.
   * The deflated data is never rewritten, so the result needs no lease.
   */
  async gzipPieces(
    resources: ReadonlyMap<string, ResourceSnapshot>,
    mode: StatusSeries,
    tagKeys: readonly string[] = [],
  ): Promise<DeflatedPiece[]> {
    const headers = (this.headersDeflated ??= this.headers.map((h) => this.deflatePiece(h)));
    const pending = this.current(resources, mode, tagKeys).map((p) => {
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
  render(resources: ReadonlyMap<string, ResourceSnapshot>, mode: StatusSeries, tagKeys: readonly string[] = []): string {
    const { value, release } = this.plain(resources, mode, tagKeys);
    try {
      return Buffer.concat(value).toString('utf8');
    } finally {
      release();
    }
  }
}
