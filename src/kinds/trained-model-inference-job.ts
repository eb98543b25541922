// Trained model inference jobs. Membership scoped, filterable by trained model (and version);
// the collaboration view lists every member's jobs but has no Get. They cannot be deleted, so
// their List only grows. The Get has no collaborationIdentifier (List items do).
import type { KindDecl } from './kind.js';

const SUMMARY = ['trainedModelInferenceJobArn', 'configuredModelAlgorithmAssociationArn', 'membershipIdentifier', 'trainedModelArn', 'trainedModelVersionIdentifier', 'collaborationIdentifier', 'status', 'outputConfiguration', 'name', 'description', 'metricsStatus', 'metricsStatusDetails', 'logsStatus', 'logsStatusDetails', 'mlModelInferencePayerAccountId', 'createTime', 'updateTime'] as const;
const SUMMARY_REQUIRED = ['trainedModelInferenceJobArn', 'membershipIdentifier', 'trainedModelArn', 'collaborationIdentifier', 'status', 'outputConfiguration', 'name', 'createTime', 'updateTime'] as const;
const FILTERS = [
  { member: 'trainedModelArn', from: 'trainedModelArn' },
  { member: 'trainedModelVersionIdentifier', from: 'trainedModelVersionIdentifier' },
] as const;

export const trainedModelInferenceJob: KindDecl = {
  kind: 'trainedModelInferenceJob',
  snake: 'trained_model_inference_job',
  title: 'trained model inference job',
  arn: {
    resourceType: 'trained-model-inference-job',
    shape: 'TrainedModelInferenceJobArn',
    member: 'trainedModelInferenceJobArn',
    pattern: /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:membership\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/trained-model-inference-job\/[-a-zA-Z0-9_/.]+$/,
  },
  identity: { members: ['trainedModelInferenceJobArn'], description: 'the inference job ARN' },
  parents: {
    membershipId: 'membershipIdentifier',
    collaborationId: 'collaborationIdentifier',
    trainedModelArn: 'trainedModelArn',
    trainedModelVersionIdentifier: 'trainedModelVersionIdentifier',
    configuredModelAlgorithmAssociationArn: 'configuredModelAlgorithmAssociationArn',
  },
  statusShape: 'TrainedModelInferenceJobStatus',
  statuses: {
    CREATE_PENDING: 'inProgress',
    CREATE_IN_PROGRESS: 'inProgress',
    CREATE_FAILED: 'failure',
    ACTIVE: 'success',
    CANCEL_PENDING: 'inProgress',
    CANCEL_IN_PROGRESS: 'inProgress',
    CANCEL_FAILED: 'failure',
    INACTIVE: 'other',
  },
  get: {
    member: {
      type: 'get',
      name: 'GetTrainedModelInferenceJob',
      view: 'member',
      path: '/memberships/{membershipIdentifier}/trained-model-inference-jobs/{trainedModelInferenceJobArn}',
      pathParams: [
        { member: 'membershipIdentifier', from: 'membershipId' },
        { member: 'trainedModelInferenceJobArn', from: 'arn' },
      ],
      queryParams: [],
      members: ['createTime', 'updateTime', 'trainedModelInferenceJobArn', 'configuredModelAlgorithmAssociationArn', 'name', 'status', 'trainedModelArn', 'trainedModelVersionIdentifier', 'resourceConfig', 'outputConfiguration', 'membershipIdentifier', 'dataSource', 'containerExecutionParameters', 'statusDetails', 'description', 'inferenceContainerImageDigest', 'environment', 'kmsKeyArn', 'metricsStatus', 'metricsStatusDetails', 'logsStatus', 'logsStatusDetails', 'tags', 'mlModelInferencePayerAccountId'],
      required: ['createTime', 'updateTime', 'trainedModelInferenceJobArn', 'name', 'status', 'trainedModelArn', 'resourceConfig', 'outputConfiguration', 'membershipIdentifier', 'dataSource'],
    },
  },
  lists: [
    {
      type: 'list',
      name: 'ListTrainedModelInferenceJobs',
      view: 'member',
      scope: 'membership',
      path: '/memberships/{membershipIdentifier}/trained-model-inference-jobs',
      pathParams: [{ member: 'membershipIdentifier', from: 'membershipId' }],
      queryParams: FILTERS,
      listMember: 'trainedModelInferenceJobs',
      members: SUMMARY,
      required: SUMMARY_REQUIRED,
    },
    {
      type: 'list',
      name: 'ListCollaborationTrainedModelInferenceJobs',
      view: 'collaboration',
      scope: 'collaboration',
      path: '/collaborations/{collaborationIdentifier}/trained-model-inference-jobs',
      pathParams: [{ member: 'collaborationIdentifier', from: 'collaborationId' }],
      queryParams: FILTERS,
      listMember: 'collaborationTrainedModelInferenceJobs',
      members: [...SUMMARY, 'creatorAccountId'],
      required: [...SUMMARY_REQUIRED, 'creatorAccountId'],
    },
  ],
  results: [
    {
      type: 'number',
      key: 'instance_count',
      help: 'Number of inference instances.',
      value: ['resourceConfig', 'instanceCount'],
      shape: 'InferenceResourceConfigInstanceCountInteger',
      integer: true,
      min: 1,
      max: 10,
    },
    { type: 'enum', key: 'metrics_status', help: 'Whether the inference metrics were published.', value: ['metricsStatus'], shape: 'MetricsStatus', values: ['PUBLISH_SUCCEEDED', 'PUBLISH_FAILED'] },
    { type: 'enum', key: 'logs_status', help: 'Whether the inference logs were published.', value: ['logsStatus'], shape: 'LogsStatus', values: ['PUBLISH_SUCCEEDED', 'PUBLISH_FAILED'] },
  ],
  labels: [
    { label: 'membership_id', path: ['membershipIdentifier'] },
    { label: 'collaboration_id', path: ['collaborationIdentifier'] },
    { label: 'trained_model_arn', path: ['trainedModelArn'] },
    { label: 'trained_model_version_identifier', path: ['trainedModelVersionIdentifier'] },
    { label: 'instance_type', path: ['resourceConfig', 'instanceType'] },
    { label: 'creator_account_id', path: ['creatorAccountId'] },
  ],
  facts: [
    { title: 'Trained model', from: { parent: 'trainedModelArn' }, format: 'text' },
    { title: 'Model version', from: { parent: 'trainedModelVersionIdentifier' }, format: 'text' },
    { title: 'Instance type', from: { label: 'instance_type' }, format: 'text' },
    { title: 'Metrics', from: { result: 'metrics_status' }, format: 'text' },
    { title: 'Logs', from: { result: 'logs_status' }, format: 'text' },
  ],
};
