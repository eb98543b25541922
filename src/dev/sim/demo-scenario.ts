// The scenario behind `cleanroomsml-monitor demo`: one collaboration, one job ACTIVE since
// before start, three that reach ACTIVE within about a minute, one that ends CREATE_FAILED; and
// in one membership of it a trained model that trains, an inference job on it, and an ML input
// channel that reaches ACTIVE, beside a second channel that fails. Tagged for the demo's routing by
// team: the audiences belong to growth, the model and its scoring to risk; one audience and the
// channels carry no team (the fallback target gets them).
import { DEFAULT_COLLABORATION_ID, DEFAULT_MEMBERSHIP_ID, DEFAULT_MODEL_ARN } from './defaults.js';
import type { Scenario } from './schemas.js';

const sizes = (scores: [number, number, number, number, number]) => [
  { audienceSize: { type: 'ABSOLUTE' as const, value: 10_000 }, score: scores[0] },
  { audienceSize: { type: 'ABSOLUTE' as const, value: 100_000 }, score: scores[1] },
  { audienceSize: { type: 'ABSOLUTE' as const, value: 1_000_000 }, score: scores[2] },
  { audienceSize: { type: 'PERCENTAGE' as const, value: 5 }, score: scores[3] },
  { audienceSize: { type: 'PERCENTAGE' as const, value: 20 }, score: scores[4] },
];

const common = { collaborationId: DEFAULT_COLLABORATION_ID, configuredAudienceModelArn: DEFAULT_MODEL_ARN };

export const DEMO_SCENARIO: Scenario = {
  jobs: [
    {
      name: 'holiday-lookalike-2025',
      description: "Last season's lookalike audience, ACTIVE before the demo starts",
      arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/00000000-demo-4000-8000-000000000001',
      ...common,
      tags: { team: 'growth', 'cost-center': 'cc-1042' },
      timeline: [
        { at: '-26h', status: 'CREATE_PENDING' },
        { at: '-25h55m', status: 'CREATE_IN_PROGRESS' },
        { at: '-25h10m', status: 'ACTIVE', metrics: { relevanceMetrics: sizes([0.91, 0.84, 0.73, 0.88, 0.69]), recallMetric: 0.47 } },
      ],
    },
    {
      name: 'spring-sale-lookalike',
      arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/00000000-demo-4000-8000-000000000002',
      ...common,
      tags: { team: 'growth', 'cost-center': 'cc-1042' },
      timeline: [
        { at: '0s', status: 'CREATE_PENDING' },
        { at: '10s', status: 'CREATE_IN_PROGRESS' },
        { at: '35s', status: 'ACTIVE', metrics: { relevanceMetrics: sizes([0.86, 0.78, 0.64, 0.81, 0.6]), recallMetric: 0.42 } },
      ],
    },
    {
      name: 'loyalty-reactivation',
      arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/00000000-demo-4000-8000-000000000003',
      ...common,
      tags: { team: 'growth', 'cost-center': 'cc-1042' },
      timeline: [
        { at: '0s', status: 'CREATE_PENDING' },
        { at: '15s', status: 'CREATE_IN_PROGRESS' },
        { at: '45s', status: 'ACTIVE', metrics: { relevanceMetrics: sizes([0.79, 0.7, 0.55, 0.74, 0.51]), recallMetric: 0.36 } },
      ],
    },
    {
      name: 'new-market-prospects',
      arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/00000000-demo-4000-8000-000000000004',
      ...common,
      timeline: [
        { at: '5s', status: 'CREATE_PENDING' },
        { at: '20s', status: 'CREATE_IN_PROGRESS' },
        { at: '55s', status: 'ACTIVE', metrics: { relevanceMetrics: sizes([0.83, 0.74, 0.6, 0.77, 0.57]), recallMetric: 0.39 } },
      ],
    },
    {
      name: 'tiny-seed-test',
      description: 'Seed audience below the minimum size: fails',
      arn: 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/00000000-demo-4000-8000-000000000005',
      ...common,
      tags: { team: 'growth', 'cost-center': 'cc-1042' },
      timeline: [
        { at: '0s', status: 'CREATE_PENDING' },
        { at: '12s', status: 'CREATE_IN_PROGRESS' },
        {
          at: '40s',
          status: 'CREATE_FAILED',
          statusDetails: {
            statusCode: 'INVALID_SEED_AUDIENCE',
            message: 'The seed audience must contain at least 500 unique users; found 212.',
          },
        },
      ],
    },
  ],
  resources: [
    {
      kind: 'mlInputChannel',
      name: 'purchases-2025-channel',
      membershipId: DEFAULT_MEMBERSHIP_ID,
      collaborationId: DEFAULT_COLLABORATION_ID,
      numberOfRecords: 1_250_000,
      sizeInGb: 3.2,
      timeline: [
        { at: '0s', status: 'CREATE_PENDING' },
        { at: '8s', status: 'CREATE_IN_PROGRESS' },
        { at: '25s', status: 'ACTIVE' },
      ],
    },
    {
      kind: 'mlInputChannel',
      name: 'clicks-missing-table',
      membershipId: DEFAULT_MEMBERSHIP_ID,
      collaborationId: DEFAULT_COLLABORATION_ID,
      timeline: [
        { at: '0s', status: 'CREATE_PENDING' },
        {
          at: '18s',
          status: 'CREATE_FAILED',
          statusDetails: { statusCode: 'TABLE_NOT_FOUND', message: 'The configured table association no longer exists.' },
        },
      ],
    },
    {
      kind: 'trainedModel',
      name: 'churn-model',
      arn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${DEFAULT_MEMBERSHIP_ID}/trained-model/00000000-demo-4000-8000-0000000000a1`,
      collaborationId: DEFAULT_COLLABORATION_ID,
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
      tags: { team: 'risk' },
      timeline: [
        { at: '0s', status: 'CREATE_PENDING' },
        { at: '10s', status: 'CREATE_IN_PROGRESS' },
        { at: '50s', status: 'ACTIVE' },
      ],
    },
    {
      kind: 'trainedModelInferenceJob',
      name: 'churn-scoring-q1',
      membershipId: DEFAULT_MEMBERSHIP_ID,
      collaborationId: DEFAULT_COLLABORATION_ID,
      trainedModelArn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${DEFAULT_MEMBERSHIP_ID}/trained-model/00000000-demo-4000-8000-0000000000a1`,
      tags: { team: 'risk' },
      timeline: [
        { at: '52s', status: 'CREATE_PENDING' },
        { at: '56s', status: 'CREATE_IN_PROGRESS' },
        { at: '70s', status: 'ACTIVE' },
      ],
    },
  ],
};
