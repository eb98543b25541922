import type { JobSnapshot } from '../../src/state/legacy-job.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { resourceFromJob } from '../../src/state/legacy-job.js';

export const ARN_A = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000001';
export const ARN_B = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000002';
export const MODEL_ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/5f6e7d8c-1111-4222-8333-444455556666';

export function snap(over: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    arn: ARN_A,
    name: 'lookalike-q4',
    status: 'CREATE_PENDING',
    createTime: Date.parse('2026-11-28T12:00:00.000Z'),
    updateTime: Date.parse('2026-11-28T12:00:00.000Z'),
    configuredAudienceModelArn: MODEL_ARN,
    collaborationId: '5f6e7d8c-0000-4000-8000-000000000001',
    detail: 'full',
    ...over,
  };
}

/** The same job as a snapshot of any kind (what the sweep, the state and the formatters hold). */
export function job(over: Partial<JobSnapshot> = {}): ResourceSnapshot {
  return resourceFromJob(snap(over));
}
