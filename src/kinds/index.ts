// The registry of kinds: one declaration per file, looked up by name or by ARN.
import { audienceExportJob } from './audience-export-job.js';
import { audienceGenerationJob } from './audience-generation-job.js';
import { audienceModel } from './audience-model.js';
import { KIND_NAMES, type KindDecl, type KindName, type ListDecl, type StatusClass, type View } from './kind.js';
import { mlInputChannel } from './ml-input-channel.js';
import { trainedModel } from './trained-model.js';
import { trainedModelExportJob } from './trained-model-export-job.js';
import { trainedModelInferenceJob } from './trained-model-inference-job.js';

export type * from './kind.js';
export { KIND_NAMES } from './kind.js';

export const KINDS: Readonly<Record<KindName, KindDecl>> = {
  audienceGenerationJob,
  audienceModel,
  audienceExportJob,
  trainedModel,
  trainedModelInferenceJob,
  trainedModelExportJob,
  mlInputChannel,
};

/** Every declaration, in KIND_NAMES order. */
export const ALL_KINDS: readonly KindDecl[] = KIND_NAMES.map((k) => KINDS[k]);

export function isKindName(v: unknown): v is KindName {
  return typeof v === 'string' && (KIND_NAMES as readonly string[]).includes(v);
}

/** The kind of a Clean Rooms ML ARN, or undefined when no kind's ARN pattern matches. */
export function kindOfArn(arn: string): KindDecl | undefined {
  if (typeof arn !== 'string' || arn.length < 20 || arn.length > 2048) return undefined;
  return ALL_KINDS.find((k) => k.arn?.pattern.test(arn));
}

/** The class of a status; a value the model does not know (a new AWS status) is 'other'. */
export function statusClass(kind: KindDecl, status: string): StatusClass {
  return Object.hasOwn(kind.statuses, status) ? kind.statuses[status]! : 'other';
}

/**
 * Whether a resource in this status stays there on its own (a success, a failure, or another
 * status at rest such as INACTIVE). A status the model does not know is not: a new AWS status
 * is watched closely until a release knows it.
 */
export function atRest(kind: KindDecl, status: string): boolean {
  return Object.hasOwn(kind.statuses, status) && kind.statuses[status] !== 'inProgress';
}

/** Statuses that notify by default: success and every failure of the kind. */
export function defaultNotifyStatuses(kind: KindDecl): string[] {
  return Object.entries(kind.statuses)
    .filter(([, c]) => c === 'success' || c === 'failure')
    .map(([s]) => s);
}

/** The List operations of a kind for a scope and view. */
export function listsOf(kind: KindDecl, view: View): ListDecl[] {
  return kind.lists.filter((l) => l.view === view);
}
