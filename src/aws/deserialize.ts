// JSON -> typed outputs, validating the members the model marks required.
// A 200 whose body breaks the model (bad JSON, missing required member, bad timestamp) becomes a
// MalformedResponseError: not retryable, because the same request would get the same body; the
// poller still polls the job again on its next cycle. Unknown members are ignored and unknown
// enum values (status, audience size type) kept as given, for forward compatibility.
// JSON null counts as absent, like the SDK's __expectString.
import type { AudienceQualityMetrics, RelevanceMetric } from '../domain.js';
import { CleanRoomsMlError } from './errors.js';
import { parseIsoTimestamp } from './timestamps.js';
import type {
  AudienceGenerationJobSummary,
  GetAudienceGenerationJobCommandOutput,
  ListAudienceGenerationJobsCommandOutput,
  StatusDetails,
} from './types.js';

type Obj = Record<string, unknown>;

function malformed(message: string, requestId?: string): CleanRoomsMlError {
  return new CleanRoomsMlError({ name: 'MalformedResponseError', message, httpStatus: 0, ...(requestId ? { requestId } : {}) });
}

class Reader {
  constructor(private readonly o: Obj, private readonly where: string, private readonly requestId?: string) {}
  fail(msg: string): never {
    throw malformed(`${this.where}: ${msg}`, this.requestId);
  }
  reqString(k: string): string {
    const v = this.o[k];
    if (typeof v !== 'string' || v.length === 0) this.fail(`required member ${k} is missing or not a string`);
    return v;
  }
  optString(k: string): string | undefined {
    const v = this.o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(`member ${k} is not a string`);
    return v;
  }
  optBool(k: string): boolean | undefined {
    const v = this.o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(`member ${k} is not a boolean`);
    return v;
  }
  reqDate(k: string): Date {
    const v = this.o[k];
    if (v === undefined || v === null) this.fail(`required member ${k} is missing`);
    const t = parseIsoTimestamp(v);
    if (t === undefined) this.fail(`member ${k} is not an ISO-8601 timestamp: ${JSON.stringify(v).slice(0, 64)}`);
    return new Date(t);
  }
  optObj(k: string): Obj | undefined {
    const v = this.o[k];
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) this.fail(`member ${k} is not an object`);
    return v;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMetrics(o: Obj, r: Reader): AudienceQualityMetrics {
  const list = o['relevanceMetrics'];
  if (!Array.isArray(list)) r.fail('metrics.relevanceMetrics is missing or not a list');
  const relevanceMetrics: RelevanceMetric[] = list.map((m: unknown, i: number) => {
    const size = isObj(m) ? m['audienceSize'] : undefined;
    if (!isObj(m) || !isObj(size) || typeof size['type'] !== 'string' || typeof size['value'] !== 'number') {
      return r.fail(`metrics.relevanceMetrics[${i}].audienceSize must have a string type and a number value`);
    }
    const score = m['score'];
    if (score !== undefined && score !== null && typeof score !== 'number') r.fail(`metrics.relevanceMetrics[${i}].score is not a number`);
    const out: RelevanceMetric = { audienceSize: { type: size['type'], value: size['value'] } };
    if (typeof score === 'number') out.score = score;
    return out;
  });
  const recall = o['recallMetric'];
  if (recall !== undefined && recall !== null && typeof recall !== 'number') r.fail('metrics.recallMetric is not a number');
  return typeof recall === 'number' ? { relevanceMetrics, recallMetric: recall } : { relevanceMetrics };
}

function parseJson(body: string, requestId?: string): Obj {
  let v: unknown;
  try {
    v = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    throw malformed('response body is not JSON', requestId);
  }
  if (!isObj(v)) throw malformed('response body is not a JSON object', requestId);
  return v;
}

/** Assign only defined values, so outputs compare cleanly and never carry `undefined` members. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function deserializeGetJob(body: string, requestId?: string): GetAudienceGenerationJobCommandOutput {
  const o = parseJson(body, requestId);
  const r = new Reader(o, 'GetAudienceGenerationJob', requestId);
  const out: GetAudienceGenerationJobCommandOutput = {
    createTime: r.reqDate('createTime'),
    updateTime: r.reqDate('updateTime'),
    audienceGenerationJobArn: r.reqString('audienceGenerationJobArn'),
    name: r.reqString('name'),
    status: r.reqString('status'),
    configuredAudienceModelArn: r.reqString('configuredAudienceModelArn'),
  };
  put(out, 'description', r.optString('description'));
  const sd = r.optObj('statusDetails');
  if (sd) {
    const sr = new Reader(sd, 'GetAudienceGenerationJob.statusDetails', requestId);
    const details: StatusDetails = {};
    put(details, 'statusCode', sr.optString('statusCode'));
    put(details, 'message', sr.optString('message'));
    out.statusDetails = details;
  }
  put(out, 'seedAudience', r.optObj('seedAudience'));
  put(out, 'includeSeedInOutput', r.optBool('includeSeedInOutput'));
  put(out, 'collaborationId', r.optString('collaborationId'));
  const metrics = r.optObj('metrics');
  if (metrics) out.metrics = readMetrics(metrics, r);
  put(out, 'startedBy', r.optString('startedBy'));
  const tags = r.optObj('tags');
  if (tags) {
    const t: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) if (typeof v === 'string') t[k] = v;
    out.tags = t;
  }
  put(out, 'protectedQueryIdentifier', r.optString('protectedQueryIdentifier'));
  return out;
}

function readSummary(o: unknown, i: number, requestId?: string): AudienceGenerationJobSummary {
  if (!isObj(o)) throw malformed(`ListAudienceGenerationJobs: audienceGenerationJobs[${i}] is not an object`, requestId);
  const r = new Reader(o, `ListAudienceGenerationJobs.audienceGenerationJobs[${i}]`, requestId);
  const s: AudienceGenerationJobSummary = {
    createTime: r.reqDate('createTime'),
    updateTime: r.reqDate('updateTime'),
    audienceGenerationJobArn: r.reqString('audienceGenerationJobArn'),
    name: r.reqString('name'),
    status: r.reqString('status'),
    configuredAudienceModelArn: r.reqString('configuredAudienceModelArn'),
  };
  put(s, 'description', r.optString('description'));
  put(s, 'collaborationId', r.optString('collaborationId'));
  put(s, 'startedBy', r.optString('startedBy'));
  return s;
}

export function deserializeListJobs(body: string, requestId?: string): ListAudienceGenerationJobsCommandOutput {
  const o = parseJson(body, requestId);
  const r: Reader = new Reader(o, 'ListAudienceGenerationJobs', requestId);
  const list = o['audienceGenerationJobs'];
  if (!Array.isArray(list)) r.fail('required member audienceGenerationJobs is missing or not a list');
  const out: ListAudienceGenerationJobsCommandOutput = {
    audienceGenerationJobs: list.map((s, i) => readSummary(s, i, requestId)),
  };
  const token = r.optString('nextToken');
  if (token) out.nextToken = token;
  return out;
}
