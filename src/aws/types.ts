// Input/output shapes of the two operations, mirroring @aws-sdk/client-cleanroomsml's command
// types (timestamps as Date, optional members optional), so that swapping in the official client
// later touches only src/aws/client.ts.
import type { AudienceQualityMetrics } from '../domain.js';

export type {
  ApiObserver,
  ApiOutcome,
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  CleanRoomsMlClientOptions,
  Operation,
} from './api.js';

export type AudienceGenerationJobStatus =
  | 'CREATE_PENDING'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'ACTIVE'
  | 'DELETE_PENDING'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | (string & {});

export interface StatusDetails {
  statusCode?: string;
  message?: string;
}

export interface GetAudienceGenerationJobCommandInput {
  audienceGenerationJobArn: string;
}

export interface GetAudienceGenerationJobCommandOutput {
  createTime: Date;
  updateTime: Date;
  audienceGenerationJobArn: string;
  name: string;
  description?: string;
  status: AudienceGenerationJobStatus;
  statusDetails?: StatusDetails;
  configuredAudienceModelArn: string;
  /** Kept opaque: it may carry the seed SQL (a sensitive shape); the monitor never exports it. */
  seedAudience?: Record<string, unknown>;
  includeSeedInOutput?: boolean;
  collaborationId?: string;
  metrics?: AudienceQualityMetrics;
  startedBy?: string;
  tags?: Record<string, string>;
  protectedQueryIdentifier?: string;
}

export interface ListAudienceGenerationJobsCommandInput {
  nextToken?: string;
  /** 1..100 */
  maxResults?: number;
  configuredAudienceModelArn?: string;
  collaborationId?: string;
}

export interface AudienceGenerationJobSummary {
  createTime: Date;
  updateTime: Date;
  audienceGenerationJobArn: string;
  name: string;
  description?: string;
  status: AudienceGenerationJobStatus;
  configuredAudienceModelArn: string;
  collaborationId?: string;
  startedBy?: string;
}

export interface ListAudienceGenerationJobsCommandOutput {
  nextToken?: string;
  audienceGenerationJobs: AudienceGenerationJobSummary[];
}

/** The Clean Rooms ML operations the monitor uses. */
export interface CleanRoomsMlApi {
  getAudienceGenerationJob(
    input: GetAudienceGenerationJobCommandInput,
    opts?: { signal?: AbortSignal },
  ): Promise<GetAudienceGenerationJobCommandOutput>;
  listAudienceGenerationJobs(
    input: ListAudienceGenerationJobsCommandInput,
    opts?: { signal?: AbortSignal },
  ): Promise<ListAudienceGenerationJobsCommandOutput>;
}
