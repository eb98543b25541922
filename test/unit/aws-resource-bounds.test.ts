// Numbers and text in any kind's answer are read against the model (the generic deserializer,
// driven by each declaration). The model's ranges are documentation, not a contract: a finite
// number outside its range, or an identifier longer than its shape says, is accepted as given and
// reported (out_of_range, naming the member). What cannot be read is refused with a short error
// naming the member, for that item alone: a number that is not finite or not a number, text past
// TEXT_CEILING times its bound. A Get is one item; a List page keeps its other items. Free text is
// kept to ~500 characters. The bounds themselves are checked against the service model
// (test/fixtures/aws-model).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MAX_TEXT } from '../../src/aws/cap-text.js';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import {
  deserializeResourceGet,
  deserializeResourceList,
  MAX_ARN,
  MAX_ENUM,
  MAX_LABEL,
  MAX_NEXT_TOKEN,
  MAX_UUID,
  parentMax,
  TEXT_CEILING,
} from '../../src/aws/resource-deserialize.js';
import type { AnswerIssue } from '../../src/aws/api.js';
import { resourceToWire } from '../../src/aws/resource-wire.js';
import { ALL_KINDS, KINDS } from '../../src/kinds/index.js';
import type { GetDecl, KindDecl, LabelNumberDecl, ListDecl, MemberPath, ParentDecl, ParentKey } from '../../src/kinds/kind.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { resource } from '../helpers/resources.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  min?: number;
  max?: number;
  enum?: string[];
}
const DIR = new URL('../fixtures/aws-model/cleanroomsml/2023-09-06/', import.meta.url);
const model = JSON.parse(readFileSync(new URL('service-2.json', DIR), 'utf8')) as {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, Shape>;
};
type Op = GetDecl | ListDecl;
const opsOf = (k: KindDecl): Op[] => [...Object.values(k.get), ...k.lists];

function itemShape(op: Op): Shape {
  const out = model.shapes[model.operations[op.name]!.output!.shape]!;
  if (op.type === 'get') return out;
  return model.shapes[model.shapes[out.members![op.listMember]!.shape]!.member!.shape]!;
}
/** The shape name at `path` (stepping into list members), or undefined when the structure lacks it. */
function shapeAt(from: Shape, path: MemberPath): string | undefined {
  let cur = from;
  let name: string | undefined;
  for (const step of path) {
    if (cur.type === 'list') cur = model.shapes[cur.member!.shape]!;
    const m = cur.members?.[step];
    if (!m) return undefined;
    name = m.shape;
    cur = model.shapes[name]!;
  }
  return name;
}

describe('the bounds match the service model', () => {
  it('ARNs, versions, parents, labels and identifier attributes: no valid answer is refused, nothing is unbounded', () => {
    const checked: string[] = [];
    for (const k of ALL_KINDS)
      for (const op of opsOf(k)) {
        const item = itemShape(op);
        const bounded = (path: MemberPath, bound: number, what: string) => {
          const name = shapeAt(item, path);
          if (name === undefined) return;
          const s = model.shapes[name]!;
          checked.push(`${k.kind}.${path.join('.')}`);
          if (s.enum) assert.ok(Math.max(...s.enum.map((e) => e.length)) <= bound, `${what}: an enum value fits`);
          else if (s.max !== undefined)
            assert.ok(s.max <= bound, `${k.kind} ${op.name} ${path.join('.')} (${name} max ${s.max}) <= ${what} ${bound}`);
          // An unbounded String (protectedQueryIdentifier) is held to an ARN's bound.
          else assert.equal(bound, MAX_ARN, `${k.kind} ${op.name} ${path.join('.')} is an unbounded ${s.type}`);
        };
        if (k.arn) {
          bounded([k.arn.member], MAX_ARN, 'MAX_ARN');
          assert.equal(model.shapes[k.arn.shape]!.max, MAX_ARN);
        }
        if (k.versionMember) bounded([k.versionMember], MAX_UUID, 'MAX_UUID');
        for (const [key, p] of Object.entries(k.parents) as Array<[ParentKey, ParentDecl]>)
          bounded([p.member], parentMax(p.id), `parentMax(${key})`);
        for (const l of k.labels) bounded(l.path, MAX_LABEL, 'MAX_LABEL');
        bounded(['status'], MAX_ENUM, 'MAX_ENUM');
        for (const r of k.results) {
          if (r.type === 'enum') bounded(r.value, MAX_ENUM, 'MAX_ENUM');
          if (r.type !== 'number') continue;
          for (const [label, path] of Object.entries(r.labels ?? {})) {
            const full = [...(r.items ?? []), ...path];
            const num: LabelNumberDecl | undefined = r.labelNumbers?.[label];
            const name = shapeAt(item, full);
            if (name === undefined) continue;
            const s = model.shapes[name]!;
            if (num) {
              assert.equal(name, num.shape, `${k.kind}.${label}`);
              assert.deepEqual([s.min, s.max, s.type === 'integer' || s.type === 'long'], [num.min, num.max, num.integer]);
            } else {
              assert.equal(s.type, 'string', `${k.kind} ${r.key}.${label} is a string in the model, or declared in labelNumbers`);
              bounded(full, MAX_LABEL, 'MAX_LABEL');
            }
          }
        }
        for (const a of k.attributes ?? []) {
          const name = shapeAt(item, [a.member]);
          if (name === undefined || a.type !== 'string') continue;
          const s = model.shapes[name]!;
          // An identifier bound never refuses what the model allows; free text has no bound here (capped instead).
          if (a.max !== undefined) assert.ok(s.max === undefined ? a.max === MAX_ARN : s.max <= a.max, `${k.kind}.${a.member}`);
        }
      }
    assert.ok(checked.length > 60, `checked ${checked.length} members`);
    assert.equal(model.shapes['NextToken']!.max, MAX_NEXT_TOKEN);
    assert.equal(model.shapes['AccountId']!.max, KINDS.audienceGenerationJob.attributes?.find((a) => a.member === 'startedBy')?.max);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile answers for every kind and every operation, built from a valid one.

type Obj = Record<string, unknown>;
const NUM = '__number__';

/** A valid resource of `kind` (numeric labels as digits). */
function valid(kind: KindDecl): ResourceSnapshot {
  const s = resource(kind, { statusDetails: { statusCode: 'CODE', message: 'msg' } });
  for (const r of kind.results)
    if (r.type === 'number' && r.labelNumbers)
      for (const sample of s.results[r.key] as Array<{ labels: Record<string, string> }>)
        for (const l of Object.keys(r.labelNumbers)) sample.labels[l] = String(r.labelNumbers[l]!.min ?? 1);
  return s;
}

/** The answer of `op` for `s`: the Get output, or a List page of one item. */
function wireOf(kind: KindDecl, op: Op, s: ResourceSnapshot): Obj {
  const w = resourceToWire(kind, s);
  // Keep only what the operation's output has, and fill required members the monitor does not read.
  for (const m of Object.keys(w)) if (!op.members.includes(m)) delete w[m];
  for (const m of op.required) w[m] ??= [];
  return w;
}
function body(op: Op, item: Obj, extra: Obj = {}): string {
  return JSON.stringify(op.type === 'get' ? item : { [op.listMember]: [item], ...extra });
}
function parse(kind: KindDecl, op: Op, text: string): ResourceSnapshot {
  const s = op.type === 'get' ? deserializeResourceGet(kind, op, text) : deserializeResourceList(kind, op, text).items[0];
  assert.ok(s, `${op.name}: the item was read`);
  return s;
}
/** The resource read from `text`, and what the reader reported about it. */
function parseNoting(kind: KindDecl, op: Op, text: string): { snap: ResourceSnapshot; issues: AnswerIssue[] } {
  const issues: AnswerIssue[] = [];
  const report = (i: AnswerIssue) => issues.push(i);
  const s =
    op.type === 'get'
      ? deserializeResourceGet(kind, op, text, undefined, report)
      : deserializeResourceList(kind, op, text, undefined, report).items[0];
  assert.ok(s, `${op.name}: the item was read`);
  return { snap: s, issues };
}
/** `text` is read whole, with one out_of_range issue per expected member (matched by `problem`). */
function accepted(kind: KindDecl, op: Op, text: string, member: string, problem: RegExp): ResourceSnapshot {
  const { snap, issues } = parseNoting(kind, op, text);
  const mine = issues.filter((i) => i.member === member);
  assert.equal(mine.length, 1, `${op.name}: one issue for ${member}, got ${JSON.stringify(issues)}`);
  assert.equal(mine[0]!.type, 'out_of_range');
  assert.equal(mine[0]!.operation, op.name);
  assert.equal(mine[0]!.id, snap.id);
  assert.equal(mine[0]!.field, member.replace(/\[\d+\]/g, '[]'));
  assert.match(mine[0]!.problem, problem);
  return snap;
}
function set(o: Obj, path: MemberPath, v: unknown): void {
  let cur = o;
  for (const step of path.slice(0, -1)) cur = (cur[step] ??= {}) as Obj;
  cur[path[path.length - 1]!] = v;
}
/**
 * `text` (a Get output, or a List page of one item) cannot be read, with a short message naming
 * the member: a Get is refused whole; in a List only that item is, and a good item beside it is read.
 */
function refused(kind: KindDecl, op: Op, text: string, member: RegExp): void {
  if (op.type === 'get') {
    assert.throws(
      () => parse(kind, op, text),
      (e: unknown) =>
        e instanceof CleanRoomsMlError &&
        e.name === 'MalformedResponseError' &&
        !e.retryable &&
        member.test(e.message) &&
        e.message.length < 300,
      `${op.name}: ${member}`,
    );
    return;
  }
  // The page's text as given (a parse and stringify would turn 1e400 into null), a good item on each side.
  const head = `{"${op.listMember}":[`;
  assert.ok(text.startsWith(head) && text.endsWith(']}'), text.slice(0, 80));
  const good = JSON.stringify(wireOf(kind, op, valid(kind)));
  const issues: AnswerIssue[] = [];
  const pageText = `${head}${good},${text.slice(head.length, -2)},${good}]}`;
  const got = deserializeResourceList(kind, op, pageText, undefined, (i) => issues.push(i));
  assert.equal(got.items.length, 2, `${op.name}: the good items of the page are read (${member})`);
  assert.equal(got.refused?.length, 1, `${op.name}: one item refused (${member})`);
  const r = got.refused![0]!;
  assert.equal(r.index, 1);
  assert.match(r.message, member);
  assert.ok(r.message.startsWith(`${op.name}.${op.listMember}[1]: `), r.message);
  assert.ok(r.message.length < 300, r.message);
  const reported = issues.filter((i) => i.type === 'refused');
  assert.equal(reported.length, 1);
  assert.equal(reported[0]!.operation, op.name);
  assert.equal(reported[0]!.problem, r.message);
}
const esc = (s: string) => s.replace(/[.[\]]/g, (c) => `\\${c}`);

describe('every kind, every operation', () => {
  for (const kind of ALL_KINDS)
    for (const op of opsOf(kind))
      describe(`${kind.kind} ${op.name}`, () => {
        const s = valid(kind);
        const item = wireOf(kind, op, s);

        it('reads its own wire form back, results and labels included', () => {
          const first = parse(kind, op, body(op, item));
          assert.deepEqual(parse(kind, op, body(op, wireOf(kind, op, first))), first);
          for (const r of kind.results)
            if (op.members.includes((r.type === 'number' ? (r.items ?? r.value) : r.value)[0]!))
              assert.deepEqual(first.results[r.key], s.results[r.key], r.key);
          assert.equal(first.name, s.name);
          assert.equal(first.createTime, s.createTime);
        });

        it('accepts identifiers longer than the model allows, reporting each; refuses text past the ceiling for that item alone', () => {
          if (kind.arn) {
            const longArn = `${s.arn}${'a'.repeat(MAX_ARN)}`;
            const snap = accepted(
              kind,
              op,
              body(op, { ...item, [kind.arn.member]: longArn }),
              kind.arn.member,
              /is \d+ characters long, more than the 2048 the model allows/,
            );
            assert.equal(snap.arn, longArn, 'kept whole: cutting an identifier would name something else');
            refused(
              kind,
              op,
              body(op, { ...item, [kind.arn.member]: 'a'.repeat(MAX_ARN * TEXT_CEILING + 1) }),
              new RegExp(
                `${kind.arn.member} is 16385 characters long, more than the 2048 the model allows \\(over 8 times that is no identifier\\)`,
              ),
            );
          }
          accepted(kind, op, body(op, { ...item, status: 'S'.repeat(65) }), 'status', /is 65 characters long, more than the 64/);
          refused(
            kind,
            op,
            body(op, { ...item, status: 'S'.repeat(4 * 1024 * 1024) }),
            /member status is 4194304 characters long, more than the 64/,
          );
          refused(kind, op, body(op, { ...item, status: 7 }), /member status is not a string/);
          for (const [key, { member, id }] of Object.entries(kind.parents) as Array<[ParentKey, ParentDecl]>)
            if (op.members.includes(member)) {
              const v = 'p'.repeat(parentMax(id) + 1);
              const snap = accepted(
                kind,
                op,
                body(op, { ...item, [member]: v }),
                member,
                new RegExp(`is ${parentMax(id) + 1} characters long`),
              );
              assert.equal(snap.parents[key], v);
            }
          if (kind.versionMember && op.members.includes(kind.versionMember))
            accepted(kind, op, body(op, { ...item, [kind.versionMember]: 'v'.repeat(37) }), kind.versionMember, /is 37 characters long/);
          if (op.type === 'list') {
            const issues: AnswerIssue[] = [];
            const long = 't'.repeat(MAX_NEXT_TOKEN + 1);
            const page = deserializeResourceList(kind, op, body(op, item, { nextToken: long }), undefined, (i) => issues.push(i));
            assert.equal(page.nextToken, long, 'a longer token goes back to the service as given');
            assert.deepEqual(
              issues.map((i) => [i.type, i.member]),
              [['out_of_range', 'nextToken']],
            );
            assert.throws(
              () => deserializeResourceList(kind, op, body(op, item, { nextToken: 't'.repeat(MAX_NEXT_TOKEN * TEXT_CEILING + 1) })),
              /nextToken is 81921 characters long/,
            );
          }
        });

        it('caps free text: name and status details of 4 MiB keep ~500 characters', () => {
          const huge = 'x'.repeat(4 * 1024 * 1024);
          const w: Obj = { ...item, name: huge };
          if (op.members.includes('statusDetails')) w['statusDetails'] = { statusCode: huge, message: huge };
          const back = parse(kind, op, body(op, w));
          const texts = [back.name, back.statusDetails?.statusCode, back.statusDetails?.message, ...Object.values(back.attributes ?? {})];
          for (const v of texts) if (typeof v === 'string') assert.ok(v.length <= MAX_TEXT, `kept ${v.length} characters`);
          assert.match(back.name, /more characters\]$/);
          assert.ok(JSON.stringify(back).length < 10_000);
        });

        it('accepts finite numbers outside their range, reporting each; refuses what is not a finite number, for that item alone', () => {
          for (const r of kind.results) {
            if (r.type !== 'number') continue;
            const at = (v: unknown): string => {
              const w = structuredClone(item);
              if (!op.members.includes((r.items ?? r.value)[0]!)) return '';
              if (r.items) {
                const list = [{}];
                set(list[0]!, r.value, v);
                for (const [l, p] of Object.entries(r.labels ?? {}))
                  set(list[0]!, p, r.labelNumbers?.[l] ? (r.labelNumbers[l]!.min ?? 1) : 'L');
                set(w, r.items, list);
              } else set(w, r.value, v);
              return body(op, w).replace(`"${NUM}"`, '1e400');
            };
            if (at(1) === '') continue;
            const member = r.items ? `${r.items.join('.')}[0].${r.value.join('.')}` : r.value.join('.');
            const name = esc(member);
            refused(kind, op, at(NUM), new RegExp(`${name} is Infinity, not a finite number`));
            refused(kind, op, at('7'), new RegExp(`${name} is not a finite number`));
            refused(kind, op, at({ n: 7 }), new RegExp(`${name} is not a finite number`));
            const value = (snap: ResourceSnapshot) => (snap.results[r.key] as Array<{ value: number }>)[0]!.value;
            if (r.max !== undefined)
              assert.equal(
                value(accepted(kind, op, at(r.max + 1), member, new RegExp(`is ${r.max + 1}, above its maximum ${r.max}`))),
                r.max + 1,
              );
            if (r.min !== undefined)
              assert.equal(
                value(accepted(kind, op, at(r.min - 1), member, new RegExp(`is ${r.min - 1}, below its minimum ${r.min}`))),
                r.min - 1,
              );
            if (r.integer) accepted(kind, op, at((r.min ?? 0) + 0.5), member, new RegExp(`is ${(r.min ?? 0) + 0.5}, not a whole number`));
            // Within the range: nothing to report.
            assert.deepEqual(parseNoting(kind, op, at(r.min ?? r.max ?? 1)).issues, []);
          }
        });
      });
});

// ---------------------------------------------------------------------------------------------
// The audience generation job cases of the first client, through the generic one.

const AGJ = KINDS.audienceGenerationJob;
const GET = AGJ.get.member!;
const LIST = AGJ.lists[0]!;
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/job-1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const BASE = {
  createTime: '2026-11-28T12:00:00.000Z',
  updateTime: '2026-11-28T12:05:30.250Z',
  audienceGenerationJobArn: ARN,
  name: 'lookalike',
  status: 'ACTIVE',
  configuredAudienceModelArn: MODEL,
};
const metrics = (recall: string, score: string, value: string) =>
  `{${JSON.stringify(BASE).slice(1, -1)},"metrics":{"relevanceMetrics":[{"audienceSize":{"type":"ABSOLUTE","value":${value}},"score":${score}}],"recallMetric":${recall}}}`;
const getJob = (text: string) => deserializeResourceGet(AGJ, GET, text);
const agjRefused = (text: string, member: RegExp) => refused(AGJ, GET, text, member);

describe('audience generation job numbers (generic client)', () => {
  it('accepts the documented ranges, bounds included', () => {
    const out = getJob(metrics('1', '10', '20000000'));
    assert.deepEqual(out.results['recall_ratio'], [{ labels: {}, value: 1 }]);
    assert.deepEqual(out.results['relevance_score'], [
      { labels: { audience_size_type: 'ABSOLUTE', audience_size: '20000000' }, value: 10 },
    ]);
    assert.equal((getJob(metrics('0', '0', '1')).results['relevance_score'] as Array<{ value: number }>)[0]!.value, 0);
  });
  it('refuses a recall that parses to Infinity or is no number, naming the member', () => {
    agjRefused(metrics('1e400', '1', '10'), /metrics\.recallMetric is Infinity, not a finite number/);
    agjRefused(metrics('-1e400', '1', '10'), /metrics\.recallMetric is -Infinity/);
    agjRefused(metrics('"0.5"', '1', '10'), /metrics\.recallMetric is not a finite number/);
  });
  it('accepts a recall, a score and an audience size outside their documented ranges, as given, reporting each', () => {
    const agjAccepted = (text: string, member: string, problem: RegExp) => accepted(AGJ, GET, text, member, problem);
    assert.deepEqual(
      agjAccepted(metrics('1.5', '1', '10'), 'metrics.recallMetric', /is 1\.5, above its maximum 1/).results['recall_ratio'],
      [{ labels: {}, value: 1.5 }],
    );
    agjAccepted(metrics('-0.1', '1', '10'), 'metrics.recallMetric', /is -0\.1, below its minimum 0/);
    agjAccepted(metrics('0.5', '10.5', '10'), 'metrics.relevanceMetrics[0].score', /is 10\.5, above its maximum 10/);
    agjAccepted(metrics('0.5', '1', '0'), 'metrics.relevanceMetrics[0].audienceSize.value', /is 0, below its minimum 1/);
    // The export of 25,000,000 records that blinded a whole List: AWS raised the limit, the model did not say.
    const big = agjAccepted(
      metrics('0.5', '1', '25000000'),
      'metrics.relevanceMetrics[0].audienceSize.value',
      /is 25000000, above its maximum 20000000/,
    );
    assert.deepEqual(big.results['relevance_score'], [{ labels: { audience_size_type: 'ABSOLUTE', audience_size: '25000000' }, value: 1 }]);
    agjAccepted(metrics('0.5', '1', '1.5'), 'metrics.relevanceMetrics[0].audienceSize.value', /is 1\.5, not a whole number/);
  });
  it('refuses a score or an audience size that is not a finite number', () => {
    agjRefused(metrics('0.5', '1e400', '10'), /relevanceMetrics\[0\]\.score is Infinity/);
    agjRefused(metrics('0.5', '1', '1e400'), /audienceSize\.value is Infinity/);
    agjRefused(metrics('0.5', '1', '"10"'), /audienceSize\.value is not a finite number/);
  });
});

describe('audience generation job text (generic client)', () => {
  const huge = 'x'.repeat(4 * 1024 * 1024);
  it('caps a status message, status code, name and description at ~500 characters', () => {
    const out = getJob(JSON.stringify({ ...BASE, name: huge, description: huge, statusDetails: { statusCode: huge, message: huge } }));
    for (const v of [out.name, out.attributes?.['description'], out.statusDetails!.statusCode!, out.statusDetails!.message!]) {
      assert.equal(typeof v, 'string');
      assert.ok((v as string).length <= MAX_TEXT, `kept ${(v as string).length} characters`);
      assert.match(v as string, /more characters\]$/);
    }
    const list = deserializeResourceList(
      AGJ,
      LIST,
      JSON.stringify({ audienceGenerationJobs: [{ ...BASE, name: huge, description: huge }] }),
    );
    assert.ok(list.items[0]!.name.length <= MAX_TEXT);
    assert.ok(String(list.items[0]!.attributes?.['description']).length <= MAX_TEXT);
  });
  it('accepts identifiers longer than the model allows, whole, reporting each; past 8 times the bound they refuse the answer', () => {
    const agjAccepted = (text: string, member: string, problem: RegExp) => accepted(AGJ, GET, text, member, problem);
    const longArn = `${ARN}${'a'.repeat(3000)}`;
    assert.equal(
      agjAccepted(JSON.stringify({ ...BASE, audienceGenerationJobArn: longArn }), 'audienceGenerationJobArn', /more than the 2048/).id,
      longArn,
    );
    agjRefused(JSON.stringify({ ...BASE, status: huge }), /member status is \d+ characters long/);
    agjRefused(
      JSON.stringify({ ...BASE, protectedQueryIdentifier: huge }),
      /protectedQueryIdentifier is \d+ characters long, more than the 2048/,
    );
    agjAccepted(JSON.stringify({ ...BASE, startedBy: '1234567890123' }), 'startedBy', /is 13 characters long, more than the 12/);
    agjAccepted(JSON.stringify({ ...BASE, collaborationId: 'c'.repeat(37) }), 'collaborationId', /is 37 characters long, more than the 36/);
    agjAccepted(
      JSON.stringify({ ...BASE, configuredAudienceModelArn: 'm'.repeat(2049) }),
      'configuredAudienceModelArn',
      /is 2049 characters long/,
    );
    assert.throws(
      () => deserializeResourceList(AGJ, LIST, JSON.stringify({ audienceGenerationJobs: [], nextToken: 't'.repeat(81_921) })),
      /ListAudienceGenerationJobs: member nextToken is 81921 characters long/,
    );
    // At the bounds, everything is kept whole and nothing is reported.
    const { snap: atBounds, issues } = parseNoting(
      AGJ,
      GET,
      JSON.stringify({ ...BASE, protectedQueryIdentifier: 'q'.repeat(2048), startedBy: '123456789012' }),
    );
    assert.equal(String(atBounds.attributes?.['protectedQueryIdentifier']).length, 2048);
    assert.deepEqual(issues, []);
  });
});

describe('one List page: an item that cannot be read costs only itself', () => {
  const EXPORT = KINDS.audienceExportJob;
  const LIST_EXPORTS = EXPORT.lists[0]!;
  const item = (name: string, value: string, status = 'CREATE_IN_PROGRESS') =>
    `{"createTime":"2026-11-28T12:00:00.000Z","updateTime":"2026-11-28T12:05:00.000Z","name":"${name}","audienceGenerationJobArn":"${ARN}","audienceSize":{"type":"ABSOLUTE","value":${value}},"status":"${status}"}`;
  it('reads the good items, accepts the out-of-range one, refuses the non-finite and the wrongly typed ones with their ids', () => {
    const text = `{"audienceExportJobs":[${[
      item('too-big', '25000000', 'ACTIVE'),
      item('infinite', '1e400'),
      item('typed', '"many"'),
      item('fine', '1000', 'ACTIVE'),
      '"not an object"',
    ].join(',')}]}`;
    const issues: AnswerIssue[] = [];
    const page = deserializeResourceList(EXPORT, LIST_EXPORTS, text, undefined, (i) => issues.push(i));
    assert.deepEqual(
      page.items.map((s) => [s.name, s.status]),
      [
        ['too-big', 'ACTIVE'],
        ['fine', 'ACTIVE'],
      ],
    );
    assert.deepEqual(
      page.refused?.map((r) => [r.index, r.id, r.member]),
      [
        [1, `${ARN}#export=infinite@2026-11-28T12:00:00.000Z`, 'audienceSize.value'],
        [2, `${ARN}#export=typed@2026-11-28T12:00:00.000Z`, 'audienceSize.value'],
        [4, undefined, ''],
      ],
    );
    assert.match(
      page.refused![0]!.message,
      /^ListAudienceExportJobs\.audienceExportJobs\[1\]: member audienceSize\.value is Infinity, not a finite number$/,
    );
    assert.match(page.refused![2]!.message, /^ListAudienceExportJobs\.audienceExportJobs\[4\] is not an object$/);
    assert.deepEqual(
      issues.map((i) => [i.type, i.id, i.field]),
      [
        ['out_of_range', `${ARN}#export=too-big@2026-11-28T12:00:00.000Z`, 'audienceSize.value'],
        ['refused', `${ARN}#export=infinite@2026-11-28T12:00:00.000Z`, 'audienceSize.value'],
        ['refused', `${ARN}#export=typed@2026-11-28T12:00:00.000Z`, 'audienceSize.value'],
        ['refused', undefined, '(item)'],
      ],
    );
  });
  it('still refuses the whole page when the page itself cannot be read', () => {
    assert.throws(() => deserializeResourceList(EXPORT, LIST_EXPORTS, '<html>'), /response body is not JSON/);
    assert.throws(() => deserializeResourceList(EXPORT, LIST_EXPORTS, '{"audienceExportJobs":7}'), /missing or not a list/);
    assert.throws(
      () => deserializeResourceList(EXPORT, LIST_EXPORTS, '{"audienceExportJobs":[],"nextToken":7}'),
      /nextToken is not a string/,
    );
  });
});
