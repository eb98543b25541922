// Audience generation jobs (lookalike segments from a configured audience model). Account scoped;
// the List can be narrowed to a collaboration or a configured audience model. List items carry
// status and updateTime but neither statusDetails nor metrics: those need the Get.
import type { KindDecl } from './kind.js';
import { CONFIGURED_AUDIENCE_MODEL_ARN, UUID } from './parents.js';
import { statusTable } from './statuses.js';

const SUMMARY = [
  'createTime',
  'updateTime',
  'audienceGenerationJobArn',
  'name',
  'description',
  'status',
  'configuredAudienceModelArn',
  'collaborationId',
  'startedBy',
] as const;
const SUMMARY_REQUIRED = ['createTime', 'updateTime', 'audienceGenerationJobArn', 'name', 'status', 'configuredAudienceModelArn'] as const;

export const audienceGenerationJob: KindDecl = {
  kind: 'audienceGenerationJob',
  snake: 'audience_generation_job',
  title: 'audience generation job',
  arn: {
    resourceType: 'audience-generation-job',
    shape: 'AudienceGenerationJobArn',
    member: 'audienceGenerationJobArn',
    pattern: /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:audience-generation-job\/[-a-zA-Z0-9_/.]+$/,
  },
  identity: { from: 'arn', members: ['audienceGenerationJobArn'], description: 'the job ARN' },
  parents: {
    collaborationId: { member: 'collaborationId', id: UUID },
    configuredAudienceModelArn: { member: 'configuredAudienceModelArn', id: CONFIGURED_AUDIENCE_MODEL_ARN },
  },
  statusShape: 'AudienceGenerationJobStatus',
  statuses: statusTable('CREATE', 'ACTIVE', 'DELETE'),
  get: {
    member: {
      type: 'get',
      name: 'GetAudienceGenerationJob',
      view: 'member',
      path: '/audience-generation-job/{audienceGenerationJobArn}',
      pathParams: [{ member: 'audienceGenerationJobArn', from: 'arn' }],
      queryParams: [],
      members: [
        'createTime',
        'updateTime',
        'audienceGenerationJobArn',
        'name',
        'description',
        'status',
        'statusDetails',
        'configuredAudienceModelArn',
        'seedAudience',
        'includeSeedInOutput',
        'collaborationId',
        'metrics',
        'startedBy',
        'tags',
        'protectedQueryIdentifier',
      ],
      required: SUMMARY_REQUIRED,
    },
  },
  lists: [
    {
      type: 'list',
      name: 'ListAudienceGenerationJobs',
      view: 'member',
      scope: 'account',
      path: '/audience-generation-job',
      pathParams: [],
      queryParams: [
        { member: 'configuredAudienceModelArn', from: 'configuredAudienceModelArn' },
        { member: 'collaborationId', from: 'collaborationId' },
      ],
      listMember: 'audienceGenerationJobs',
      members: SUMMARY,
      required: SUMMARY_REQUIRED,
    },
  ],
  results: [
    {
      type: 'number',
      key: 'relevance_score',
      help: 'Relevance score of the generated audience at each audience size (0..10).',
      items: ['metrics', 'relevanceMetrics'],
      value: ['score'],
      labels: { audience_size_type: ['audienceSize', 'type'], audience_size: ['audienceSize', 'value'] },
      labelNumbers: { audience_size: { shape: 'AudienceSizeValue', integer: true, min: 1, max: 20_000_000 } },
      shape: 'RelevanceMetricScoreDouble',
      integer: false,
      min: 0,
      max: 10,
      arrivesLate: true,
      table: {
        title: 'Relevance by audience size',
        rowTitle: 'Audience size',
        rowLabel: 'audience_size',
        unitLabel: 'audience_size_type',
        units: { ABSOLUTE: '', PERCENTAGE: '%' },
        valueTitle: 'Score',
      },
    },
    {
      type: 'number',
      key: 'recall_ratio',
      help: 'Recall of the generated audience (0..1).',
      value: ['metrics', 'recallMetric'],
      shape: 'AudienceQualityMetricsRecallMetricDouble',
      integer: false,
      min: 0,
      max: 1,
      arrivesLate: true,
    },
  ],
  labels: [
    { label: 'collaboration_id', path: ['collaborationId'] },
    { label: 'configured_audience_model_arn', path: ['configuredAudienceModelArn'] },
  ],
  attributes: [
    { member: 'description', type: 'string' },
    { member: 'includeSeedInOutput', type: 'boolean' },
    { member: 'startedBy', type: 'string', max: 12, shared: true },
    // An unbounded String in the model: held to an ARN's bound.
    { member: 'protectedQueryIdentifier', type: 'string', max: 2048 },
  ],
  // Receivers of the first releases read the job under `data.job`: kept.
  bodyMember: 'job',
  facts: [
    { title: 'Collaboration', from: { parent: 'collaborationId' }, format: 'id' },
    { title: 'Configured audience model', from: { parent: 'configuredAudienceModelArn' }, format: 'id' },
    { title: 'Recall', from: { result: 'recall_ratio' }, format: 'score' },
    { title: 'Started by', from: { attribute: 'startedBy' }, format: 'id' },
  ],
  tags: { member: 'tags' },
  // The kind the first releases watched: `once` keeps its `jobs` member and table for scripts.
  once: { member: 'jobs', column: { title: 'RECALL', result: 'recall_ratio' } },
};
