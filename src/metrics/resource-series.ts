// The per-resource series of every kind, built from its declaration (src/kinds): the same
// families for any kind, named cleanroomsml_<kind snake>_*, rendered through the cached pieces of
// SeriesRenderer (job-series.ts) so 10,000 resources cost what 10,000 audience generation jobs do.
//
//   _status{arn,status}                     one-hot over the kind's statuses (unknown ones as given)
//   _info{arn,name,<declared labels>}       1; an absent label is ""
//   _created_timestamp_seconds{arn}, _updated_timestamp_seconds{arn}, _status_since_timestamp_seconds{arn}
//   _<result key>{arn,<declared labels>}    numbers as values; enums one-hot in label `value`;
//                                           timestamps in seconds
//
// `arn` is the snapshot's id: the ARN, or the stable identity of kinds without one and of
// trained model versions other than the base one (src/kinds/identity.ts). Only declared,
// model-bounded values become labels: never statusDetails.message or other free text.
import { ALL_KINDS, statusClass } from '../kinds/index.js';
import type { KindDecl, KindName, ResultDecl } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { createPieceDeflate, type DeflatedPiece, type PieceDeflate } from './gzip.js';
import { esc, num, SeriesRenderer, type Family, type Lease, type StatusSeries } from './job-series.js';

const secs = (ms: number): string => num(ms / 1000);

function oneHot(name: string, idLabel: string, label: string, known: readonly string[], current: string, onlyCurrent: boolean): string {
  if (onlyCurrent) return `${name}{${idLabel}${label}="${esc(current)}"} 1\n`;
  let out = '';
  for (const v of known) out += `${name}{${idLabel}${label}="${v}"} ${v === current ? 1 : 0}\n`;
  // A value the model does not know yet (a new AWS status) is exported as given, not hidden.
  if (!known.includes(current)) out += `${name}{${idLabel}${label}="${esc(current)}"} 1\n`;
  return out;
}

function resultFamily(kind: KindDecl, r: ResultDecl): Family<ResourceSnapshot> {
  const name = `cleanroomsml_${kind.snake}_${r.key}`;
  switch (r.type) {
    case 'number':
      return {
        name,
        help: r.help,
        lines(s) {
          const v = s.results[r.key];
          if (!Array.isArray(v)) return '';
          let out = '';
          const seen = new Set<string>();
          for (const sample of v) {
            let labels = `arn="${esc(s.id)}"`;
            for (const l of Object.keys(r.labels ?? {})) labels += `,${l}="${esc(sample.labels[l] ?? '')}"`;
            // One sample per label set, as a gauge would keep.
            if (seen.has(labels)) continue;
            seen.add(labels);
            out += `${name}{${labels}} ${num(sample.value * (r.scale ?? 1))}\n`;
          }
          return out;
        },
      };
    case 'enum':
      return {
        name,
        help: `${r.help} 1 for the current value, 0 for the others.`,
        lines(s) {
          const v = s.results[r.key];
          return typeof v === 'string' ? oneHot(name, `arn="${esc(s.id)}",`, 'value', r.values, v, false) : '';
        },
      };
    case 'timestamp':
      return {
        name,
        help: `${r.help} (Unix time)`,
        lines(s) {
          const v = s.results[r.key];
          return typeof v === 'number' ? `${name}{arn="${esc(s.id)}"} ${secs(v)}\n` : '';
        },
      };
  }
}

/** The families of one kind, in a fixed order. */
export function resourceFamilies(kind: KindDecl): Family<ResourceSnapshot>[] {
  const P = `cleanroomsml_${kind.snake}_`;
  const statuses = Object.keys(kind.statuses);
  return [
    {
      name: `${P}status`,
      help: `Current status of the ${kind.title}: 1 for the current status, 0 for the others (metrics.statusSeries: nonTerminalOnly keeps only the current one for a ${kind.title} at rest).`,
      lines: (s, mode) =>
        oneHot(
          `${P}status`,
          `arn="${esc(s.id)}",`,
          'status',
          statuses,
          s.status,
          mode === 'nonTerminalOnly' && statusClass(kind, s.status) !== 'inProgress',
        ),
    },
    {
      name: `${P}info`,
      help: `Static facts about the ${kind.title}; always 1.`,
      lines(s) {
        let labels = `arn="${esc(s.id)}",name="${esc(s.name)}"`;
        for (const l of kind.labels) labels += `,${l.label}="${esc(s.labels[l.label] ?? '')}"`;
        return `${P}info{${labels}} 1\n`;
      },
    },
    {
      name: `${P}created_timestamp_seconds`,
      help: `Unix time the ${kind.title} was created.`,
      lines: (s) => `${P}created_timestamp_seconds{arn="${esc(s.id)}"} ${secs(s.createTime)}\n`,
    },
    {
      name: `${P}updated_timestamp_seconds`,
      help: `Unix time the ${kind.title} was last updated.`,
      lines: (s) => `${P}updated_timestamp_seconds{arn="${esc(s.id)}"} ${secs(s.updateTime)}\n`,
    },
    {
      name: `${P}status_since_timestamp_seconds`,
      help: 'Unix time the current status began (the updateTime at which the monitor first saw this status).',
      lines: (s) => `${P}status_since_timestamp_seconds{arn="${esc(s.id)}"} ${secs(s.statusSince ?? s.updateTime)}\n`,
    },
    ...kind.results.map((r) => resultFamily(kind, r)),
  ];
}

/**
 * The series of every kind but those in `skip` (the audience generation job families have their
 * own renderer today), one cached renderer per kind. Resources are read per kind from
 * `byKind`, each map keyed by id.
 */
export class ResourceSeriesRenderer {
  private readonly renderers: Array<[KindName, SeriesRenderer<ResourceSnapshot>]>;

  constructor(skip: readonly KindName[] = [], deflatePiece: PieceDeflate = createPieceDeflate()) {
    this.renderers = ALL_KINDS.filter((k) => !skip.includes(k.kind)).map((k) => [
      k.kind,
      new SeriesRenderer(resourceFamilies(k), (s) => s.id, deflatePiece, false),
    ]);
  }

  /** Scrapes still holding pieces of any kind. */
  get activeLeases(): number {
    let n = 0;
    for (const [, r] of this.renderers) n += r.activeLeases;
    return n;
  }

  private static readonly EMPTY: ReadonlyMap<string, ResourceSnapshot> = new Map();

  plain(byKind: (k: KindName) => ReadonlyMap<string, ResourceSnapshot> | undefined, mode: StatusSeries): Lease<Buffer[]> {
    const leases = this.renderers.map(([k, r]) => r.plain(byKind(k) ?? ResourceSeriesRenderer.EMPTY, mode));
    return {
      value: leases.flatMap((l) => l.value),
      release: () => {
        for (const l of leases) l.release();
      },
    };
  }

  async gzipPieces(
    byKind: (k: KindName) => ReadonlyMap<string, ResourceSnapshot> | undefined,
    mode: StatusSeries,
  ): Promise<DeflatedPiece[]> {
    const parts = await Promise.all(this.renderers.map(([k, r]) => r.gzipPieces(byKind(k) ?? ResourceSeriesRenderer.EMPTY, mode)));
    return parts.flat();
  }

  render(byKind: (k: KindName) => ReadonlyMap<string, ResourceSnapshot> | undefined, mode: StatusSeries): string {
    const { value, release } = this.plain(byKind, mode);
    try {
      return Buffer.concat(value).toString('utf8');
    } finally {
      release();
    }
  }
}
