// ARN helpers. The ARN pattern of each kind (and of the other resources a kind names, such as a
// configured audience model) is in its declaration (src/kinds), checked against the service model.

import { CONFIGURED_AUDIENCE_MODEL_ARN } from '../kinds/parents.js';

/** A configured audience model ARN (the discovery filter of config), anchored: the model's pattern. */
export const MODEL_ARN_RE = CONFIGURED_AUDIENCE_MODEL_ARN.pattern;

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
