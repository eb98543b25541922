// ARN helpers. The service model's AudienceGenerationJobArn pattern is
// `arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:audience-generation-job/[-a-zA-Z0-9_/.]+`,
// length 20..2048. Smithy patterns are not implicitly anchored; we anchor them (stricter, and
// what every real ARN satisfies). Note the id part may itself contain `/`.

export const JOB_ARN_RE = /^arn:(aws[-a-z]*):cleanrooms-ml:([-a-z0-9]+):([0-9]{12}):audience-generation-job\/([-a-zA-Z0-9_/.]+)$/;
export const MODEL_ARN_RE = /^arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:configured-audience-model\/[-a-zA-Z0-9_/.]+$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ARN_MIN = 20;
export const ARN_MAX = 2048;

export interface ParsedJobArn {
  partition: string;
  region: string;
  accountId: string;
  jobId: string;
}

/** Parse an audience generation job ARN; undefined when it does not match the model's pattern. */
export function parseJobArn(arn: string): ParsedJobArn | undefined {
  if (typeof arn !== 'string' || arn.length < ARN_MIN || arn.length > ARN_MAX) return undefined;
  const m = JOB_ARN_RE.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, jobId: m[4]! };
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Split any ARN (`arn:partition:service:region:account:resource`); undefined when it has not those six parts. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

/**
 * Percent-encode a value the way the AWS SDK encodes URI labels and query values
 * (@smithy extendedEncodeURIComponent / escapeUri): encodeURIComponent plus `!'()*`.
 * So an ARN becomes ONE path segment: `:` -> `%3A`, `/` -> `%2F`.
 */
export function awsUriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
