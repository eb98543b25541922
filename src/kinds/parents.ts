// Parent identifiers several kinds share: what a membership, a collaboration or a configured
// model algorithm association is in the model. A kind's declaration names its parents with these
// or with its own (test/unit/kinds-model.test.ts checks each against the model's output shapes).
import type { ParentDecl, ParentIdDecl } from './kind.js';

/** A configured audience model ARN: what an audience generation job is made from (also a filter of its List). */
export const CONFIGURED_AUDIENCE_MODEL_ARN = {
  type: 'arn',
  shape: 'ConfiguredAudienceModelArn',
  pattern: /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:configured-audience-model\/[-a-zA-Z0-9_/.]+$/,
} as const satisfies ParentIdDecl;

export const UUID: ParentIdDecl = { type: 'uuid' };

/** The membership and collaboration of the membership-scoped kinds. */
export const MEMBERSHIP: ParentDecl = { member: 'membershipIdentifier', id: UUID };
export const COLLABORATION: ParentDecl = { member: 'collaborationIdentifier', id: UUID };

/** The trained model a resource was made with or exports, and the version of it, when it names one. */
export const TRAINED_MODEL: ParentDecl = {
  member: 'trainedModelArn',
  id: { type: 'resource', kind: 'trainedModel', version: 'trainedModelVersionIdentifier' },
};
export const TRAINED_MODEL_VERSION: ParentDecl = { member: 'trainedModelVersionIdentifier', id: UUID };

export const CONFIGURED_MODEL_ALGORITHM_ASSOCIATION: ParentDecl = {
  member: 'configuredModelAlgorithmAssociationArn',
  id: {
    type: 'arn',
    shape: 'ConfiguredModelAlgorithmAssociationArn',
    pattern:
      /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:membership\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/configured-model-algorithm-association\/[-a-zA-Z0-9_/.]+$/,
  },
};
