// One scrape's text: the resource series (cached pieces, resource-series.ts) in front of
// prom-client's own families; plain, or gzip from cached deflate pieces (gzip.ts).
import type { Registry } from 'prom-client';
import { createPieceDeflate, gzipFrame } from './gzip.js';
import { ResourceSeriesRenderer, type Lease } from './resource-series.js';
import type { MetricsSource } from './source.js';

export interface Exposition {
  /**
   * The whole exposition for one scrape, in chunks to stream (resource series first, then
   * prom-client's); with `gzip`, the chunks are one gzip stream of that text. The chunks stay
   * valid until release(), which the caller must call once they are written (or dropped).
   */
  exposition(gzip?: boolean): Promise<Lease<Iterable<Buffer | string>>>;
  /** Content type of the exposition (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Expositions not yet released (scrapes still writing resource pieces). */
  activeScrapes(): number;
}

/** Serves `registry.metrics()` as the whole text too (tests, promtool). */
export function createExposition(registry: Registry, source: Pick<MetricsSource, 'resources' | 'statusSeries' | 'tagKeys'>): Exposition {
  // Resource series are rendered by ResourceSeriesRenderer and put in front of prom-client's
  // output (a few KB). /metrics streams the chunks; registry.metrics() still returns the whole text.
  const deflatePiece = createPieceDeflate();
  const renderer = new ResourceSeriesRenderer(deflatePiece);
  const promMetrics = registry.metrics.bind(registry);
  const exposition = async (gzip = false): Promise<Lease<Iterable<Buffer | string>>> => {
    const mode = source.statusSeries?.() ?? 'nonTerminalOnly';
    const tagKeys = source.tagKeys?.() ?? [];
    if (gzip) {
      const [resources, rest] = await Promise.all([
        renderer.gzipPieces(source.resources(), mode, tagKeys),
        promMetrics().then((t) => deflatePiece(Buffer.from(`\n${t}`, 'utf8'))),
      ]);
      return { value: gzipFrame([...resources, rest]), release: () => {} };
    }
    // prom-client first: the resource pieces are taken last, so they are the state of this instant.
    const rest = await promMetrics();
    const resources = renderer.plain(source.resources(), mode, tagKeys);
    return { value: [...resources.value, `\n${rest}`], release: resources.release };
  };
  registry.metrics = async () => {
    const { value, release } = await exposition();
    try {
      return Buffer.concat([...value].map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))).toString('utf8');
    } finally {
      release();
    }
  };

  return { exposition, activeScrapes: () => renderer.activeLeases, contentType: registry.contentType };
}
