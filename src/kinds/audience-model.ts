// Audience models (lookalike models trained on a training dataset; training can take up to a
// day). Account scoped, no List filter. Get adds statusDetails and the training data window.
import type { KindDecl } from './kind.js';
import { statusTable } from './statuses.js';

const REQUIRED = ['createTime', 'updateTime', 'audienceModelArn', 'name', 'trainingDatasetArn', 'status'] as const;

export const audienceModel: KindDecl = {
  kind: 'audienceModel',
  snake: 'audience_model',
  title: 'audience model',
  arn: {
    resourceType: 'audience-model',
    shape: 'AudienceModelArn',
    member: 'audienceModelArn',
    pattern: /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:audience-model\/[-a-zA-Z0-9_/.]+$/,
  },
  identity: { from: 'arn', members: ['audienceModelArn'], description: 'the audience model ARN' },
  parents: {
    trainingDatasetArn: {
      member: 'trainingDatasetArn',
      id: {
        type: 'arn',
        shape: 'TrainingDatasetArn',
        pattern: /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:training-dataset\/[-a-zA-Z0-9_/.]+$/,
      },
    },
  },
  statusShape: 'AudienceModelStatus',
  statuses: statusTable('CREATE', 'ACTIVE', 'DELETE'),
  get: {
    member: {
      type: 'get',
      name: 'GetAudienceModel',
      view: 'member',
      path: '/audience-model/{audienceModelArn}',
      pathParams: [{ member: 'audienceModelArn', from: 'arn' }],
      queryParams: [],
      members: [
        'createTime',
        'updateTime',
        'trainingDataStartTime',
        'trainingDataEndTime',
        'audienceModelArn',
        'name',
        'trainingDatasetArn',
        'status',
        'statusDetails',
        'kmsKeyArn',
        'tags',
        'description',
      ],
      required: REQUIRED,
    },
  },
  lists: [
    {
      type: 'list',
      name: 'ListAudienceModels',
      view: 'member',
      scope: 'account',
      path: '/audience-model',
      pathParams: [],
      queryParams: [],
      listMember: 'audienceModels',
      members: ['createTime', 'updateTime', 'audienceModelArn', 'name', 'trainingDatasetArn', 'status', 'description'],
      required: REQUIRED,
    },
  ],
  results: [
    {
      type: 'timestamp',
      key: 'training_data_start_timestamp_seconds',
      help: 'Start of the training data window.',
      value: ['trainingDataStartTime'],
    },
    {
      type: 'timestamp',
      key: 'training_data_end_timestamp_seconds',
      help: 'End of the training data window.',
      value: ['trainingDataEndTime'],
    },
  ],
  labels: [{ label: 'training_dataset_arn', path: ['trainingDatasetArn'] }],
  facts: [{ title: 'Training dataset', from: { parent: 'trainingDatasetArn' }, format: 'text' }],
  tags: { member: 'tags' },
};
