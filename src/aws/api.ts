// The service-independent shapes of the AWS layer: operation names and outcomes as metrics see
// them, credentials, and the options of a client.
import type { ProxyAwareAgents } from '../net/proxy-agent.js';

/**
 * An operation name of the service model (`GetTrainedModel`), as declared by a kind in
 * src/kinds: the `operation` label of API request metrics and simulator stats.
 */
export type Operation = string;

/** Outcome label of cleanroomsml_monitor_api_requests_total. */
export type ApiOutcome = 'success' | 'throttled' | 'not_found' | 'access_denied' | 'validation' | 'error';

/** Called once per HTTP attempt (retries included), for metrics. */
export type ApiObserver = (operation: Operation, outcome: ApiOutcome, durationMs: number) => void;

/**
 * Something a 200 answer carried that the caller should hear of: a value outside the model's
 * documented range (accepted as given), or a List item that could not be read (refused; the rest
 * of its page was read). `member` is the path in the answer, `field` the same without list
 * positions (a bounded metric label); `id` the resource, when known.
 */
export type AnswerIssue =
  | { type: 'out_of_range'; operation: Operation; id?: string; member: string; field: string; problem: string }
  | { type: 'refused'; operation: Operation; id?: string; member: string; field: string; problem: string };

/** Hears every AnswerIssue (logs, metrics). */
export type AnswerObserver = (issue: AnswerIssue) => void;

/** AWS credentials, structurally identical to @smithy/types AwsCredentialIdentity. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Structurally compatible with @smithy/types AwsCredentialIdentityProvider (fromNodeProviderChain() fits). */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Options of the signed call (signed-call.ts) and so of every client built on it. */
export interface CleanRoomsMlClientOptions {
  region: string;
  /** Overrides https://cleanrooms-ml.{region}.{dnsSuffix}: the simulator, a VPC endpoint. A path prefix is kept. */
  endpoint?: string;
  /** Default: fromNodeProviderChain() (env, profile, IRSA web identity, EKS Pod Identity, IMDS). */
  credentials?: AwsCredentialIdentityProvider;
  /** Whole-exchange timeout of one HTTP attempt. Default 10000. */
  requestTimeoutMs?: number;
  observer?: ApiObserver;
  /**
   * Hears of each request sent again at once on another connection after a kept-alive one was
   * reset before any answer (src/net/stale-socket.ts): not a failed call, but an operator sees it.
   */
  onResend?: (operation: Operation) => void;
  /** Hears of values outside the model's ranges and of refused List items. */
  onAnswerIssue?: AnswerObserver;
  /** Default `cleanroomsml-monitor`. */
  userAgent?: string;
  /** Use https://cleanrooms-ml-fips.{region}.{dnsSuffix} (not with `endpoint`). */
  useFipsEndpoint?: boolean;
  /** Response body cap. Default 5 MiB. */
  maxResponseBytes?: number;
  /**
   * The connection pool (src/aws/http.ts createAwsAgents), shared with the other clients and STS
   * calls of a config. Default: a pool of this client's own.
   */
  agents?: ProxyAwareAgents;
}
