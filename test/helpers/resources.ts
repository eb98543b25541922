// Plain ResourceSnapshot values of every kind, for the pure parts' tests.
import { ALL_KINDS } from '../../src/kinds/index.js';
import type { KindDecl, KindName } from '../../src/kinds/kind.js';
import type { ResourceSnapshot, ResultValue } from '../../src/kinds/resource.js';

export const T0 = Date.parse('2026-11-28T12:00:00.000Z');
export const MEMBERSHIP = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const COLLABORATION = '5f6e7d8c-0000-4000-8000-000000000001';
export const TRAINED_MODEL_ARN = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/trained-model/11111111-2222-4333-8444-555555555555`;

/** A plausible resource of `kind`: every declared result and label set. */
export function resource(kind: KindDecl, over: Partial<ResourceSnapshot> = {}): ResourceSnapshot {
  const results: Record<string, ResultValue> = {};
  for (const r of kind.results) {
    if (r.type === 'number') {
      const labels = Object.fromEntries(Object.keys(r.labels ?? {}).map((l) => [l, `${l}-1`]));
      results[r.key] = [{ labels, value: r.integer ? (r.min ?? 0) + 1 : 0.5 }];
    } else if (r.type === 'enum') results[r.key] = r.values[0]!;
    else results[r.key] = T0 - 86_400_000;
  }
  const labels = Object.fromEntries(kind.labels.map((l) => [l.label, `${l.label}-v`]));
  const arn = kind.arn
    ? `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/${kind.arn.resourceType}/0f1e2d3c-aaaa-4bbb-8ccc-000000000001`
    : undefined;
  const id = arn ?? `${TRAINED_MODEL_ARN}#export=${kind.snake}@2026-11-28T12:00:00.000Z`;
  return {
    kind: kind.kind,
    id,
    ...(arn ? { arn } : {}),
    name: `${kind.snake}-1`,
    status: 'CREATE_IN_PROGRESS',
    createTime: T0,
    updateTime: T0,
    parents: { membershipId: MEMBERSHIP, collaborationId: COLLABORATION, trainedModelArn: TRAINED_MODEL_ARN },
    results,
    labels,
    detail: 'full',
    view: 'member',
    ...over,
  };
}

/** One resource per kind, keyed by kind. */
export function oneOfEach(over: Partial<ResourceSnapshot> = {}): Map<KindName, ResourceSnapshot> {
  return new Map(ALL_KINDS.map((k) => [k.kind, resource(k, over)]));
}
