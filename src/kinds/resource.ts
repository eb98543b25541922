// The snapshot of one resource of any kind: what the monitor knows about it at one instant.
// Plain data (JSON-safe), times in epoch ms.
import type { KindName, ParentKey, View } from './kind.js';

/** One sample of a numeric result; `labels` come from the declaration's label paths. */
export interface ResultSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A result value: number results are sample lists (one sample for a plain member, one per item
 * for a list), enum results the status string as given, timestamp results epoch ms.
 */
export type ResultValue = ResultSample[] | string | number;

/** A number result that is a single sample without labels (a recall, a record count), else undefined. */
export function singleResult(s: ResourceSnapshot, key: string): number | undefined {
  const v = s.results[key];
  return Array.isArray(v) && v.length === 1 && Object.keys(v[0]!.labels).length === 0 ? v[0]!.value : undefined;
}

export interface ResourceSnapshot {
  kind: KindName;
  /** The ARN, or the stable identity of kinds without one (src/kinds/identity.ts). */
  id: string;
  arn?: string;
  /** Trained models: the version this snapshot describes (absent for the base version). */
  versionIdentifier?: string;
  name: string;
  /** As the API returned it; unknown values are kept. */
  status: string;
  createTime: number;
  updateTime: number;
  statusDetails?: { statusCode?: string; message?: string };
  parents: Partial<Record<ParentKey, string>>;
  /** Keyed by the declaration's result key; absent when the answer did not carry it. */
  results: Record<string, ResultValue>;
  /** `_info` labels by label name, absent when the answer did not carry them. */
  labels: Record<string, string>;
  /** The declaration's attributes by member name, absent when the answer did not carry them. */
  attributes?: Record<string, string | boolean>;
  /** 'full' from a Get; 'summary' from a List item (for kinds without a Get, the List item is all there is). */
  detail: 'full' | 'summary';
  /** Which view it was read through. */
  view: View;
  /**
   * When the current status began (epoch ms): the updateTime of the first snapshot the monitor
   * saw with this status. Set by the monitor, not by AWS (updateTime also moves when only
   * results change); absent until the monitor has stored the snapshot once.
   */
  statusSince?: number;
  /**
   * The resource's AWS tags, as AWS returned them: its own, read by a Get that carries them
   * (`tagsReadAt`), or, where none of its reads does, its parent resource's (`tagsFrom`, that
   * resource's id) while the parent is watched. Absent: not known (src/kinds/tags.ts).
   */
  tags?: Record<string, string>;
  /** When its own tags were last read (epoch ms); absent for inherited or unknown tags. */
  tagsReadAt?: number;
  /** The id of the resource whose tags these are, when they are inherited. */
  tagsFrom?: string;
  /**
   * Listed by discovery, but its tags match none of the `tags` filters of the entries that list
   * it: kept (its tags are refreshed), neither exported, shown, nor notified.
   */
  tagFiltered?: true;
}
