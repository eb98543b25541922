// Trained models (custom models trained in a membership; one resource per version: incremental
// training adds versions under the same ARN). Membership scoped; ListTrainedModelVersions lists
// the versions of one model; the collaboration view shows every member's models. Only the Gets
// carry statusDetails, the stopping condition and the metrics/logs publish status.
import type { GetDecl, KindDecl, ListDecl } from './kind.js';
import { COLLABORATION, CONFIGURED_MODEL_ALGORITHM_ASSOCIATION, MEMBERSHIP } from './parents.js';
import { statusTable } from './statuses.js';

const SUMMARY = [
  'createTime',
  'updateTime',
  'trainedModelArn',
  'versionIdentifier',
  'incrementalTrainingDataChannels',
  'name',
  'description',
  'membershipIdentifier',
  'collaborationIdentifier',
  'status',
  'configuredModelAlgorithmAssociationArn',
  'mlModelTrainingPayerAccountId',
] as const;
const SUMMARY_REQUIRED = [
  'createTime',
  'updateTime',
  'trainedModelArn',
  'name',
  'membershipIdentifier',
  'collaborationIdentifier',
  'status',
  'configuredModelAlgorithmAssociationArn',
] as const;
const GET_COMMON = [
  'membershipIdentifier',
  'collaborationIdentifier',
  'trainedModelArn',
  'versionIdentifier',
  'incrementalTrainingDataChannels',
  'name',
  'description',
  'status',
  'statusDetails',
  'configuredModelAlgorithmAssociationArn',
  'resourceConfig',
  'trainingInputMode',
  'stoppingCondition',
  'metricsStatus',
  'metricsStatusDetails',
  'logsStatus',
  'logsStatusDetails',
  'trainingContainerImageDigest',
  'mlModelTrainingPayerAccountId',
  'createTime',
  'updateTime',
] as const;
const GET_REQUIRED = [
  'membershipIdentifier',
  'collaborationIdentifier',
  'trainedModelArn',
  'name',
  'status',
  'configuredModelAlgorithmAssociationArn',
  'createTime',
  'updateTime',
] as const;

const getMember: GetDecl = {
  type: 'get',
  name: 'GetTrainedModel',
  view: 'member',
  path: '/memberships/{membershipIdentifier}/trained-models/{trainedModelArn}',
  pathParams: [
    { member: 'membershipIdentifier', from: 'membershipId' },
    { member: 'trainedModelArn', from: 'arn' },
  ],
  // Without it the service answers the latest version.
  queryParams: [{ member: 'versionIdentifier', from: 'versionIdentifier' }],
  members: [...GET_COMMON, 'hyperparameters', 'environment', 'kmsKeyArn', 'tags', 'dataChannels'],
  required: [...GET_REQUIRED, 'dataChannels'],
};

const getCollaboration: GetDecl = {
  type: 'get',
  name: 'GetCollaborationTrainedModel',
  view: 'collaboration',
  path: '/collaborations/{collaborationIdentifier}/trained-models/{trainedModelArn}',
  pathParams: [
    { member: 'collaborationIdentifier', from: 'collaborationId' },
    { member: 'trainedModelArn', from: 'arn' },
  ],
  queryParams: [{ member: 'versionIdentifier', from: 'versionIdentifier' }],
  members: [...GET_COMMON, 'creatorAccountId'],
  required: [...GET_REQUIRED, 'creatorAccountId'],
};

const listMembership: ListDecl = {
  type: 'list',
  name: 'ListTrainedModels',
  view: 'member',
  scope: 'membership',
  path: '/memberships/{membershipIdentifier}/trained-models',
  pathParams: [{ member: 'membershipIdentifier', from: 'membershipId' }],
  queryParams: [],
  listMember: 'trainedModels',
  members: SUMMARY,
  required: SUMMARY_REQUIRED,
};

const listVersions: ListDecl = {
  type: 'list',
  name: 'ListTrainedModelVersions',
  view: 'member',
  scope: 'membership',
  path: '/memberships/{membershipIdentifier}/trained-models/{trainedModelArn}/versions',
  pathParams: [
    { member: 'membershipIdentifier', from: 'membershipId' },
    { member: 'trainedModelArn', from: 'trainedModelArn' },
  ],
  queryParams: [{ member: 'status', from: 'status' }],
  listMember: 'trainedModels',
  members: SUMMARY,
  required: SUMMARY_REQUIRED,
};

const listCollaboration: ListDecl = {
  type: 'list',
  name: 'ListCollaborationTrainedModels',
  view: 'collaboration',
  scope: 'collaboration',
  path: '/collaborations/{collaborationIdentifier}/trained-models',
  pathParams: [{ member: 'collaborationIdentifier', from: 'collaborationId' }],
  queryParams: [],
  listMember: 'collaborationTrainedModels',
  members: [
    'createTime',
    'updateTime',
    'trainedModelArn',
    'name',
    'versionIdentifier',
    'incrementalTrainingDataChannels',
    'description',
    'membershipIdentifier',
    'collaborationIdentifier',
    'status',
    'configuredModelAlgorithmAssociationArn',
    'creatorAccountId',
    'mlModelTrainingPayerAccountId',
  ],
  required: [...SUMMARY_REQUIRED, 'creatorAccountId'],
};

export const trainedModel: KindDecl = {
  kind: 'trainedModel',
  snake: 'trained_model',
  title: 'trained model',
  arn: {
    resourceType: 'trained-model',
    shape: 'TrainedModelArn',
    member: 'trainedModelArn',
    pattern:
      /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:membership\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/trained-model\/[-a-zA-Z0-9_/.]+$/,
  },
  versionMember: 'versionIdentifier',
  identity: {
    from: 'arn',
    members: ['trainedModelArn', 'versionIdentifier'],
    description:
      'the trained model ARN for a version without versionIdentifier (the base version), <trainedModelArn>#version=<versionIdentifier> for the others',
  },
  parents: {
    membershipId: MEMBERSHIP,
    collaborationId: COLLABORATION,
    // A version's model: its own ARN, so the versions List of one model covers that model's
    // versions only (one per-parent List per model, src/kinds/discovery.ts).
    trainedModelArn: { member: 'trainedModelArn', id: { type: 'resource', kind: 'trainedModel' } },
    configuredModelAlgorithmAssociationArn: CONFIGURED_MODEL_ALGORITHM_ASSOCIATION,
  },
  statusShape: 'TrainedModelStatus',
  statuses: statusTable('CREATE', 'ACTIVE', 'DELETE', 'INACTIVE', 'CANCEL'),
  get: { member: getMember, collaboration: getCollaboration },
  lists: [listMembership, listVersions, listCollaboration],
  results: [
    {
      type: 'number',
      key: 'max_runtime_seconds',
      help: 'Stopping condition: the longest the training may run, in seconds.',
      value: ['stoppingCondition', 'maxRuntimeInSeconds'],
      shape: 'StoppingConditionMaxRuntimeInSecondsInteger',
      integer: true,
      min: 1,
      max: 2_419_200,
    },
    {
      type: 'number',
      key: 'instances',
      help: 'Number of training instances.',
      value: ['resourceConfig', 'instanceCount'],
      shape: 'ResourceConfigInstanceCountInteger',
      integer: true,
      min: 1,
      max: 5,
    },
    {
      type: 'number',
      key: 'volume_size_bytes',
      help: 'Storage volume of each training instance, in bytes (the API reports GB; exported as GB x 10^9).',
      scale: 1e9,
      value: ['resourceConfig', 'volumeSizeInGB'],
      shape: 'ResourceConfigVolumeSizeInGBInteger',
      integer: true,
      min: 1,
      max: 8192,
    },
    {
      type: 'enum',
      key: 'metrics_status',
      help: 'Whether the training metrics were published.',
      value: ['metricsStatus'],
      shape: 'MetricsStatus',
      values: ['PUBLISH_SUCCEEDED', 'PUBLISH_FAILED'],
    },
    {
      type: 'enum',
      key: 'logs_status',
      help: 'Whether the training logs were published.',
      value: ['logsStatus'],
      shape: 'LogsStatus',
      values: ['PUBLISH_SUCCEEDED', 'PUBLISH_FAILED'],
    },
  ],
  labels: [
    { label: 'membership_id', path: ['membershipIdentifier'] },
    { label: 'collaboration_id', path: ['collaborationIdentifier'] },
    { label: 'version_identifier', path: ['versionIdentifier'] },
    { label: 'configured_model_algorithm_association_arn', path: ['configuredModelAlgorithmAssociationArn'] },
    { label: 'instance_type', path: ['resourceConfig', 'instanceType'] },
    { label: 'training_input_mode', path: ['trainingInputMode'] },
    { label: 'creator_account_id', path: ['creatorAccountId'] },
  ],
  facts: [
    { title: 'Version', from: { versionIdentifier: true }, format: 'text' },
    { title: 'Elapsed / max runtime', from: { result: 'max_runtime_seconds' }, format: 'elapsedOfMax' },
    { title: 'Instance type', from: { label: 'instance_type' }, format: 'text' },
    { title: 'Metrics', from: { result: 'metrics_status' }, format: 'text' },
    { title: 'Logs', from: { result: 'logs_status' }, format: 'text' },
  ],
  // The collaboration view's Get carries none.
  tags: { member: 'tags' },
};
