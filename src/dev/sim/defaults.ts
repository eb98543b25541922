// Identifiers the simulator uses when a job definition leaves them out.
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_COLLABORATION_ID = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';
export const DEFAULT_MODEL_ARN = `arn:aws:cleanrooms-ml:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:configured-audience-model/2b1a0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d`;

export function jobArnFor(region: string, accountId: string, id: string): string {
  return `arn:aws:cleanrooms-ml:${region}:${accountId}:audience-generation-job/${id}`;
}
