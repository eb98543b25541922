// SigV4 checks of the simulator, with the error types and messages the AWS request frontend
// uses for rest-json services (all HTTP 403):
//   no Authorization header          MissingAuthenticationTokenException  "Missing Authentication Token"
//   malformed header / host unsigned IncompleteSignatureException
//   wrong service/terminator/date    InvalidSignatureException ("Credential should be scoped to correct service: ...")
//   unknown access key               UnrecognizedClientException          "The security token included in the request is invalid."
//   signature mismatch               InvalidSignatureException            "The request signature we calculated does not match ..."
// None of these are modeled in service-2.json; SDK clients surface them as generic 403 errors.
// The full recomputation uses @smithy/signature-v4 over the request as received: raw path (the
// signer double-encodes it, as the service does), decoded query, only the signed headers.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export const SERVICE = 'cleanrooms-ml';

export interface AuthFailure {
  type: string;
  message: string;
}

export interface SimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

class Sha256 extends Hash {
  constructor(secret?: unknown) {
    super('sha256', secret as never);
  }
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export async function checkSignature(
  req: { method: string; rawPath: string; rawQuery: string; headers: IncomingHttpHeaders; body: Buffer },
  credentials: SimCredentials | undefined,
): Promise<AuthFailure | undefined> {
  const auth = header(req.headers, 'authorization');
  if (!auth) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const m = /^AWS4-HMAC-SHA256 (.*)$/.exec(auth.trim());
  if (!m) return { type: 'IncompleteSignatureException', message: `Authorization header requires the AWS4-HMAC-SHA256 algorithm.` };
  const parts = new Map<string, string>();
  for (const p of m[1]!.split(',')) {
    const eq = p.indexOf('=');
    if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  for (const k of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parts.get(k)) return { type: 'IncompleteSignatureException', message: `Authorization header requires '${k}' parameter.` };
  }
  const scope = parts.get('Credential')!.split('/');
  if (scope.length !== 5)
    return {
      type: 'IncompleteSignatureException',
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parts.get('Credential')}'`,
    };
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  if (service !== SERVICE)
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${SERVICE}'. ` };
  if (terminator !== 'aws4_request')
    return {
      type: 'InvalidSignatureException',
      message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    };
  const signedHeaders = parts.get('SignedHeaders')!.split(';');
  if (!signedHeaders.includes('host'))
    return { type: 'IncompleteSignatureException', message: `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.` };
  const amzDate = header(req.headers, 'x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return {
      type: 'IncompleteSignatureException',
      message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`,
    };
  }
  if (amzDate.slice(0, 8) !== date) {
    return {
      type: 'InvalidSignatureException',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    };
  }
  if (!credentials) return undefined;
  if (accessKeyId !== credentials.accessKeyId)
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const v = header(req.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  const query: Record<string, string | string[]> = {};
  for (const pair of req.rawQuery ? req.rawQuery.split('&') : []) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    let k: string, v: string;
    try {
      k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      v = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
    } catch {
      return { type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH };
    }
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({ service: SERVICE, region, sha256: Sha256, credentials, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: headers['host'] ?? '',
      path: req.rawPath,
      query,
      headers,
      ...(req.body.length ? { body: req.body } : {}),
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization']))?.[1] ?? '';
  const given = parts.get('Signature')!;
  const ok = expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  return ok ? undefined : { type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH };
}
