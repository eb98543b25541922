// Input/output shapes of the two operations, mirroring @aws-sdk/client-cleanroomsml's command
// types (timestamps as Date, optional members optional), so that swapping in the official client
// later touches only src/aws/client.ts.
import type { AudienceQualityMetrics } from '../domain.js';

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

/**
 * Operation names of the service model, as used in metric labels and simulator stats (the other
 * kinds' operations come from their declarations in src/kinds).
 */
export type Operation = 'GetAudienceGenerationJob' | 'ListAudienceGenerationJobs' | (string & {});

/** Outcome label of cleanroomsml_monitor_api_requests_total. */
export type ApiOutcome = 'success' | 'throttled' | 'not_found' | 'access_denied' | 'validation' | 'error';

/** Called once per HTTP attempt (retries included), for metrics. */
export type ApiObserver = (operation: Operation, outcome: ApiOutcome, durationMs: number) => void;

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

/** AWS credentials, structurally identical to @smithy/types AwsCredentialIdentity. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Structurally compatible with @smithy/types AwsCredentialIdentityProvider (fromNodeProviderChain() fits). */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Options of createCleanRoomsMlClient (src/aws/client.ts). */
export interface CleanRoomsMlClientOptions {
  region: string;
  /** Overrides https://cleanrooms-ml.{region}.{dnsSuffix}: the simulator, a VPC endpoint. A path prefix is kept. */
  endpoint?: string;
  /** Default: fromNodeProviderChain() (env, profile, IRSA web identity, EKS Pod Identity, IMDS). */
  credentials?: AwsCredentialIdentityProvider;
  /** Whole-exchange timeout of one HTTP attempt. Default 10000. */
  requestTimeoutMs?: number;
  observer?: ApiObserver;
  /** Default `cleanroomsml-monitor`. */
  userAgent?: string;
  /** Use https://cleanrooms-ml-fips.{region}.{dnsSuffix} (not with `endpoint`). */
  useFipsEndpoint?: boolean;
  /** Response body cap. Default 5 MiB. */
  maxResponseBytes?: number;
}
