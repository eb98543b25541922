// The registry of kinds: one declaration per file, looked up by name or by ARN.
import { audienceExportJob } from './audience-export-job.js';
import { audienceGenerationJob } from './audience-generation-job.js';
import { audienceModel } from './audience-model.js';
import { KIND_NAMES, type KindDecl, type KindName } from './kind.js';
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

export { atRest, DEFAULT_NOTIFY_CLASSES, STATUS_CLASSES, STATUS_WORD, statusClass } from './statuses.js';

/** Whether any kind's model lists this status (a value AWS added since is not, and is still watched). */
export function isKnownStatus(status: string): boolean {
  return ALL_KINDS.some((k) => k.statuses.includes(status));
}
