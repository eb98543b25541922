// A notification target as the config hands it to the code: parsed by the schema, defaults filled.
import { configSchema, type NotificationTarget } from '../../src/config/schema.js';

/**
 * A target as written in a config. Loosely typed, so a test can spread overrides across types
 * (`{...webhookTarget, type: 'slack', secret: undefined}`); the schema checks it at run time.
 */
export type TargetInput = { name: string; type: string; url: string } & Record<string, unknown>;

const JOB = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-000000000001';

export function parseTarget(t: TargetInput): NotificationTarget {
  return configSchema.parse({ jobs: [{ arn: JOB }], notifications: { targets: [t] } }).notifications.targets[0]!;
}
