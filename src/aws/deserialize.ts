// JSON -> typed outputs, validating the members the model marks required.
// A 200 whose body breaks the model (bad JSON, missing required member, bad timestamp) becomes a
// MalformedResponseError: not retryable, because the same request would get the same body; the
// poller still polls the job again on its next cycle. Unknown members are ignored and unknown
// enum values (status, audience size type) kept as given, for forward compatibility.
// JSON null counts as absent, like the SDK's __expectString.
//
// Numbers are checked against the model's range: JSON allows `1e400` (Infinity after parsing),
// which the journal would store as null and /metrics would print as an invalid sample. A number
// outside its range is a body that breaks the model, like a missing member: the whole answer is
// refused with an error naming the member, the job keeps its last good snapshot, and the failure
// shows in the logs and in api_requests_total{outcome="error"} on every poll until AWS answers
// correctly. Dropping only the bad member would be quieter, and silently wrong.
// Text is bounded: identifiers longer than the model allows are refused (cutting one would make
// it name something else); free text (name, description, status details) is capped.
import type { AudienceQualityMetrics, RelevanceMetric } from '../domain.js';
import { capText } from './cap-text.js';
import { CleanRoomsMlError } from './errors.js';
import { parseIsoTimestamp } from './timestamps.js';
import type {
  AudienceGenerationJobSummary,
  GetAudienceGenerationJobCommandOutput,
  ListAudienceGenerationJobsCommandOutput,
  StatusDetails,
} from './types.js';

type Obj = Record<string, unknown>;

// Length bounds of the model's identifier shapes (ARNs 2048, UUID 36, AccountId 12, NextToken
// 10240). Status is an enum; an unknown value is kept, but nothing longer than a status name.
// protectedQueryIdentifier is an unbounded String in the model: held to an ARN's bound.
const MAX_ARN = 2048;
const MAX_UUID = 36;
const MAX_ACCOUNT = 12;
const MAX_STATUS = 64;
const MAX_NEXT_TOKEN = 10_240;

function malformed(message: string, requestId?: string): CleanRoomsMlError {
  return new CleanRoomsMlError({ name: 'MalformedResponseError', message, httpStatus: 0, ...(requestId ? { requestId } : {}) });
}

class Reader {
  constructor(
    private readonly o: Obj,
    private readonly where: string,
    private readonly requestId?: string,
  ) {}
  fail(msg: string): never {
    throw malformed(`${this.where}: ${msg}`, this.requestId);
  }
  /** A required identifier of at most `max` characters (the model's bound). */
  reqId(k: string, max: number): string {
    const v = this.o[k];
    if (typeof v !== 'string' || v.length === 0) this.fail(`required member ${k} is missing or not a string`);
    if (v.length > max) this.fail(`member ${k} is ${v.length} characters long, more than the ${max} the model allows`);
    return v;
  }
  optId(k: string, max: number): string | undefined {
    const v = this.optString(k);
    if (v !== undefined && v.length > max) this.fail(`member ${k} is ${v.length} characters long, more than the ${max} the model allows`);
    return v;
  }
  /** Required free text, capped. */
  reqText(k: string): string {
    const v = this.o[k];
    if (typeof v !== 'string' || v.length === 0) this.fail(`required member ${k} is missing or not a string`);
    return capText(v);
  }
  optText(k: string): string | undefined {
    const v = this.optString(k);
    return v === undefined ? undefined : capText(v);
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

/** The documented ranges of the numbers in AudienceQualityMetrics (service-2.json). */
export const METRIC_RANGES = {
  audienceSizeValue: { min: 1, max: 20_000_000, integer: true },
  score: { min: 0, max: 10, integer: false },
  recallMetric: { min: 0, max: 1, integer: false },
} as const;

/** Why `v` is not a number in `range`, or undefined when it is one. */
export function numberProblem(v: unknown, range: { min: number; max: number; integer: boolean }): string | undefined {
  if (typeof v !== 'number') return 'is not a number';
  if (!Number.isFinite(v)) return `is ${String(v)}, not a finite number`;
  if (range.integer && !Number.isInteger(v)) return `is ${v}, not an integer`;
  if (v < range.min || v > range.max) return `is ${v}, outside its documented range ${range.min}..${range.max}`;
  return undefined;
}

function readMetrics(o: Obj, r: Reader): AudienceQualityMetrics {
  const list = o['relevanceMetrics'];
  if (!Array.isArray(list)) r.fail('metrics.relevanceMetrics is missing or not a list');
  const relevanceMetrics: RelevanceMetric[] = list.map((m: unknown, i: number) => {
    const where = `metrics.relevanceMetrics[${i}]`;
    const size = isObj(m) ? m['audienceSize'] : undefined;
    if (!isObj(m) || !isObj(size) || typeof size['type'] !== 'string') {
      return r.fail(`${where}.audienceSize must have a string type and a number value`);
    }
    const type = size['type'];
    if (type.length > 64) r.fail(`${where}.audienceSize.type is ${type.length} characters long, not an AudienceSizeType`);
    const value = size['value'];
    const bad = numberProblem(value, METRIC_RANGES.audienceSizeValue);
    if (bad) r.fail(`${where}.audienceSize.value ${bad}`);
    const score = m['score'];
    if (score !== undefined && score !== null) {
      const badScore = numberProblem(score, METRIC_RANGES.score);
      if (badScore) r.fail(`${where}.score ${badScore}`);
    }
    const out: RelevanceMetric = { audienceSize: { type, value: value as number } };
    if (typeof score === 'number') out.score = score;
    return out;
  });
  const recall = o['recallMetric'];
  if (recall !== undefined && recall !== null) {
    const bad = numberProblem(recall, METRIC_RANGES.recallMetric);
    if (bad) r.fail(`metrics.recallMetric ${bad}`);
  }
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
    audienceGenerationJobArn: r.reqId('audienceGenerationJobArn', MAX_ARN),
    name: r.reqText('name'),
    status: r.reqId('status', MAX_STATUS),
    configuredAudienceModelArn: r.reqId('configuredAudienceModelArn', MAX_ARN),
  };
  put(out, 'description', r.optText('description'));
  const sd = r.optObj('statusDetails');
  if (sd) {
    const sr = new Reader(sd, 'GetAudienceGenerationJob.statusDetails', requestId);
    const details: StatusDetails = {};
    put(details, 'statusCode', sr.optText('statusCode'));
    put(details, 'message', sr.optText('message'));
    out.statusDetails = details;
  }
  put(out, 'seedAudience', r.optObj('seedAudience'));
  put(out, 'includeSeedInOutput', r.optBool('includeSeedInOutput'));
  put(out, 'collaborationId', r.optId('collaborationId', MAX_UUID));
  const metrics = r.optObj('metrics');
  if (metrics) out.metrics = readMetrics(metrics, r);
  put(out, 'startedBy', r.optId('startedBy', MAX_ACCOUNT));
  const tags = r.optObj('tags');
  if (tags) {
    const t: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) if (typeof v === 'string') t[k] = v;
    out.tags = t;
  }
  put(out, 'protectedQueryIdentifier', r.optId('protectedQueryIdentifier', MAX_ARN));
  return out;
}

function readSummary(o: unknown, i: number, requestId?: string): AudienceGenerationJobSummary {
  if (!isObj(o)) throw malformed(`ListAudienceGenerationJobs: audienceGenerationJobs[${i}] is not an object`, requestId);
  const r = new Reader(o, `ListAudienceGenerationJobs.audienceGenerationJobs[${i}]`, requestId);
  const s: AudienceGenerationJobSummary = {
    createTime: r.reqDate('createTime'),
    updateTime: r.reqDate('updateTime'),
    audienceGenerationJobArn: r.reqId('audienceGenerationJobArn', MAX_ARN),
    name: r.reqText('name'),
    status: r.reqId('status', MAX_STATUS),
    configuredAudienceModelArn: r.reqId('configuredAudienceModelArn', MAX_ARN),
  };
  put(s, 'description', r.optText('description'));
  put(s, 'collaborationId', r.optId('collaborationId', MAX_UUID));
  put(s, 'startedBy', r.optId('startedBy', MAX_ACCOUNT));
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
  const token = r.optId('nextToken', MAX_NEXT_TOKEN);
  if (token) out.nextToken = token;
  return out;
}
