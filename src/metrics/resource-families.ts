// The metric families of one kind, built from its declaration (src/kinds): the same families for
// every kind, audience generation jobs included, named cleanroomsml_<kind snake>_*:
//
//   _status{arn,status}                     one-hot over the kind's statuses (unknown ones as given)
//   _info{arn,name,<declared labels>}       1; an absent label is ""
//   _tags{arn,tag_<key>...}                 1; the keys of `tags.keys` the resource carries
//   _created_timestamp_seconds{arn}, _updated_timestamp_seconds{arn}, _status_since_timestamp_seconds{arn}
//   _<result key>{arn,<declared labels>}    numbers as values (one sample per label set); enums
//                                           one-hot in label `value`; timestamps in seconds
//
// `arn` is the snapshot's id: the ARN, or the stable identity of kinds without one and of
// trained model versions other than the base one (src/kinds/identity.ts). Only declared,
// model-bounded values become labels: never statusDetails.message or other free text.
//
// A family turns one snapshot into its lines of exposition text; caching and streaming them is
// the renderer's job (resource-series.ts).
import { tagLabelName } from '../config/tag-label.js';
import { statusClass } from '../kinds/index.js';
import type { KindDecl, ResultDecl } from '../kinds/kind.js';
import type { ResourceSnapshot, ResultSample } from '../kinds/resource.js';

/** metrics.statusSeries: every status of every resource, or only the current one of those at rest. */
export type StatusSeries = 'all' | 'nonTerminalOnly';

/** The tag keys exported as labels (`tags.keys`), with the start of each label (`,tag_team="`). */
export interface TagLabels {
  keys: readonly string[];
  heads: readonly string[];
}

export function tagLabels(keys: readonly string[]): TagLabels {
  return { keys, heads: keys.map((k) => `,${tagLabelName(k)}="`) };
}

export const NO_TAG_LABELS: TagLabels = tagLabels([]);

/** One metric family: its name, help and the lines one snapshot contributes to it. */
export interface Family {
  name: string;
  help: string;
  lines: (s: ResourceSnapshot, mode: StatusSeries, tags: TagLabels) => string;
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

const secs = (ms: number): string => num(ms / 1000);

/**
 * The lines of a one-hot family `name{arn,<label>}` over `known` (label-safe constants from the
 * declaration: model enums; only the current value comes from AWS). The constant ends of every
 * line are built once: these families are most of the text (7+ lines per resource).
 */
function oneHot(name: string, label: string, known: readonly string[]): (id: string, current: string, onlyCurrent: boolean) => string {
  const head = `${name}{arn="`;
  const on = known.map((v) => `",${label}="${v}"} 1\n`);
  const off = known.map((v) => `",${label}="${v}"} 0\n`);
  const given = (id: string, current: string) => `${head}${id}",${label}="${esc(current)}"} 1\n`;
  return (id, current, onlyCurrent) => {
    if (onlyCurrent) return given(id, current);
    let out = '';
    let isKnown = false;
    for (let i = 0; i < known.length; i++) {
      if (known[i] === current) {
        isKnown = true;
        out += head + id + on[i]!;
      } else out += head + id + off[i]!;
    }
    // A value the model does not know yet (a new AWS status) is exported as given, not hidden.
    return isKnown ? out : out + given(id, current);
  };
}

/** Whether sample `n` has the label values of an earlier one (compared in place: no key is built). */
function repeatsLabels(v: readonly ResultSample[], n: number, names: readonly string[]): boolean {
  const labels = v[n]!.labels;
  for (let m = 0; m < n; m++) {
    const earlier = v[m]!.labels;
    let same = true;
    for (let i = 0; same && i < names.length; i++) same = (earlier[names[i]!] ?? '') === (labels[names[i]!] ?? '');
    if (same) return true;
  }
  return false;
}

/** Lists up to this long are checked for repeated label sets in place; longer ones through a set of keys. */
const SHORT_LIST = 16;

function resultFamily(kind: KindDecl, r: ResultDecl): Family {
  const name = `cleanroomsml_${kind.snake}_${r.key}`;
  switch (r.type) {
    case 'number': {
      const { key } = r;
      const labelNames = Object.keys(r.labels ?? {});
      const value = r.scale === undefined ? (v: number) => num(v) : (v: number) => num(v * r.scale!);
      const head = `${name}{arn="`;
      if (labelNames.length === 0) {
        return {
          name,
          help: r.help,
          lines(s) {
            const v = s.results[key];
            // One sample: a plain member gives at most one.
            return Array.isArray(v) && v.length > 0 ? `${head}${esc(s.id)}"} ${value(v[0]!.value)}\n` : '';
          },
        };
      }
      const labelHeads = labelNames.map((l) => `,${l}="`);
      return {
        name,
        help: r.help,
        lines(s) {
          const v = s.results[key];
          if (!Array.isArray(v) || v.length === 0) return '';
          const id = `${head}${esc(s.id)}"`;
          let out = '';
          // One sample per label set, as a gauge would keep (the first one given). Lists are mostly a
          // few items (audience sizes, privacy budgets): comparing in place beats a key per sample.
          const seen = v.length > SHORT_LIST ? new Set<string>() : undefined;
          for (let n = 0; n < v.length; n++) {
            const sample = v[n]!;
            if (seen) {
              const k = JSON.stringify(labelNames.map((l) => sample.labels[l] ?? ''));
              if (seen.has(k)) continue;
              seen.add(k);
            } else if (n > 0 && repeatsLabels(v, n, labelNames)) continue;
            out += id;
            for (let i = 0; i < labelNames.length; i++) out += `${labelHeads[i]}${esc(sample.labels[labelNames[i]!] ?? '')}"`;
            out += `} ${value(sample.value)}\n`;
          }
          return out;
        },
      };
    }
    case 'enum': {
      const { key } = r;
      const lines = oneHot(name, 'value', r.values);
      return {
        name,
        help: `${r.help} 1 for the current value, 0 for the others.`,
        lines(s) {
          const v = s.results[key];
          return typeof v === 'string' ? lines(esc(s.id), v, false) : '';
        },
      };
    }
    case 'timestamp': {
      const { key } = r;
      return {
        name,
        help: `${r.help} (Unix time)`,
        lines(s) {
          const v = s.results[key];
          return typeof v === 'number' ? `${name}{arn="${esc(s.id)}"} ${secs(v)}\n` : '';
        },
      };
    }
  }
}

/** The families of one kind, in a fixed order: status, info, the three times, then its results as declared. */
export function resourceFamilies(kind: KindDecl): Family[] {
  const P = `cleanroomsml_${kind.snake}_`;
  const status = oneHot(`${P}status`, 'status', kind.statuses);
  const infoLabels = kind.labels.map((l) => l.label);
  const infoHeads = infoLabels.map((l) => `",${l}="`);
  return [
    {
      name: `${P}status`,
      help: `Current status of the ${kind.title}: 1 for the current status, 0 for the others while it is under way; at rest only the current status is written (metrics.statusSeries: all writes the zeros too).`,
      lines: (s, mode) =>
        // At rest: success, failure, or a status that is neither (INACTIVE, CANCELLED): src/kinds/statuses.ts.
        status(esc(s.id), s.status, mode === 'nonTerminalOnly' && statusClass(s.status) !== 'inProgress'),
    },
    {
      name: `${P}info`,
      help: `Static facts about the ${kind.title}; always 1.`,
      lines(s) {
        let out = `${P}info{arn="${esc(s.id)}",name="${esc(s.name)}`;
        for (let i = 0; i < infoLabels.length; i++) out += infoHeads[i]! + esc(s.labels[infoLabels[i]!] ?? '');
        return `${out}"} 1\n`;
      },
    },
    {
      // kube-state-metrics' kube_<kind>_labels: one series per resource, the allowed keys as labels.
      name: `${P}tags`,
      help: `AWS tags of the ${kind.title} (its own, or those of the parent it inherits them from) whose keys tags.keys lists, as labels tag_<key>; always 1.`,
      lines(s, _mode, t) {
        let out = `${P}tags{arn="${esc(s.id)}"`;
        const tags = s.tags;
        if (tags !== undefined)
          for (let i = 0; i < t.keys.length; i++) if (Object.hasOwn(tags, t.keys[i]!)) out += `${t.heads[i]}${esc(tags[t.keys[i]!]!)}"`;
        return `${out}} 1\n`;
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
      help: `Unix time the current status of the ${kind.title} began (the updateTime at which the monitor first saw this status).`,
      lines: (s) => `${P}status_since_timestamp_seconds{arn="${esc(s.id)}"} ${secs(s.statusSince ?? s.updateTime)}\n`,
    },
    ...kind.results.map((r) => resultFamily(kind, r)),
  ];
}
