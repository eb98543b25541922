// Every kind declaration against the official service model (test/fixtures/aws-model): a path,
// member name, enum value or range that drifts from the model fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ALL_KINDS, KINDS, kindOfArn, statusClass } from '../../src/kinds/index.js';
import type { GetDecl, KindDecl, ListDecl, MemberPath, ParamSource, ParentDecl } from '../../src/kinds/kind.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string; location?: string; locationName?: string }>;
  member?: { shape: string };
  required?: string[];
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  timestampFormat?: string;
}
interface Model {
  operations: Record<string, { http: { method: string; requestUri: string }; input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}
const DIR = new URL('../fixtures/aws-model/cleanroomsml/2023-09-06/', import.meta.url);
const model = JSON.parse(readFileSync(new URL('service-2.json', DIR), 'utf8')) as Model;
const paginators = (
  JSON.parse(readFileSync(new URL('paginators-1.json', DIR), 'utf8')) as {
    pagination: Record<string, { result_key: string; limit_key: string }>;
  }
).pagination;

const shape = (name: string): Shape => {
  const s = model.shapes[name];
  assert.ok(s, `shape ${name} exists`);
  return s;
};
type Op = GetDecl | ListDecl;
const opsOf = (k: KindDecl): Op[] => [...Object.values(k.get), ...k.lists];

/** The structure a declaration's `members` describe: a Get's output, or one List item. */
function outputStructure(op: Op): Shape {
  const out = shape(model.operations[op.name]!.output!.shape);
  if (op.type === 'get') return out;
  const list = shape(out.members![op.listMember]!.shape);
  assert.equal(list.type, 'list');
  return shape(list.member!.shape);
}

/** Resolve a member path from a structure; undefined when a step is missing. Lists are stepped through by `items`. */
function resolve(from: Shape, path: MemberPath): string | undefined {
  let cur: Shape = from;
  let name: string | undefined;
  for (const step of path) {
    const m = cur.members?.[step];
    if (!m) return undefined;
    name = m.shape;
    cur = shape(name);
  }
  return name;
}
function resolveItems(from: Shape, items: MemberPath | undefined, value: MemberPath): string | undefined {
  if (!items) return resolve(from, value);
  const listName = resolve(from, items);
  if (!listName) return undefined;
  const list = shape(listName);
  assert.equal(list.type, 'list', `${items.join('.')} is a list`);
  return resolve(shape(list.member!.shape), value);
}

function sourceMember(k: KindDecl, from: ParamSource): string | undefined {
  if (from === 'arn') return k.arn?.member;
  if (from === 'versionIdentifier') return k.versionMember;
  if (from === 'status') return 'status';
  return k.parents[from]?.member;
}

describe('kind declarations match the service model', () => {
  it('declares the seven kinds, each under its own name', () => {
    assert.deepEqual(Object.keys(KINDS).sort(), [
      'audienceExportJob',
      'audienceGenerationJob',
      'audienceModel',
      'mlInputChannel',
      'trainedModel',
      'trainedModelExportJob',
      'trainedModelInferenceJob',
    ]);
    for (const [name, k] of Object.entries(KINDS)) {
      assert.equal(k.kind, name);
      assert.equal(k.snake, name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^ml_/, 'ml_'));
    }
  });

  for (const k of ALL_KINDS) {
    describe(k.kind, () => {
      it('status classes cover exactly the model enum', () => {
        assert.deepEqual([...k.statuses], [...shape(k.statusShape).enum!], 'the model enum, in its order');
        for (const s of k.statuses) {
          const expected =
            s === 'ACTIVE' ? 'success' : s.endsWith('_FAILED') ? 'failure' : /_(PENDING|IN_PROGRESS)$/.test(s) ? 'inProgress' : 'other';
          assert.equal(statusClass(s), expected, `${s}`);
        }
      });

      it('ARN pattern is the model pattern, anchored', () => {
        if (!k.arn) {
          assert.equal(k.identity.members.includes('createTime'), true, 'a kind without ARN is identified with its createTime');
          return;
        }
        const s = shape(k.arn.shape);
        assert.equal(k.arn.pattern.source.replaceAll('\\/', '/'), `^${s.pattern}$`);
        assert.ok(
          s.pattern!.includes(`:${k.arn.resourceType}/`) || s.pattern!.includes(`}/${k.arn.resourceType}/`),
          `resource type ${k.arn.resourceType} in ${s.pattern}`,
        );
        assert.equal(s.min, 20);
        assert.equal(s.max, 2048);
        for (const op of opsOf(k))
          assert.equal(outputStructure(op).members![k.arn.member]?.shape, k.arn.shape, `${op.name}.${k.arn.member}`);
      });

      for (const op of opsOf(k)) {
        it(`${op.name}: GET ${op.path}, parameters and output members as in the model`, () => {
          const mop = model.operations[op.name];
          assert.ok(mop, `operation ${op.name} exists`);
          assert.equal(mop.http.method, 'GET');
          assert.equal(mop.http.requestUri, op.path);
          assert.equal(op.view, op.name.includes('Collaboration') ? 'collaboration' : 'member');
          const input = shape(mop.input!.shape);
          const labels = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
          assert.deepEqual(op.pathParams.map((p) => p.member).sort(), [...labels].sort(), 'one param per label');
          for (const p of op.pathParams) {
            const m = Object.entries(input.members!).find(([, v]) => v.location === 'uri' && v.locationName === p.member);
            assert.ok(m, `label ${p.member} is a uri member`);
            assert.ok(input.required?.includes(m[0]), `${p.member} is required`);
            const src = sourceMember(k, p.from);
            if (p.from === 'arn') assert.equal(m[1].shape, k.arn!.shape);
            else if (src) assert.equal(m[1].shape, outputStructure(op).members?.[src]?.shape ?? m[1].shape);
          }
          const query = Object.entries(input.members!)
            .filter(([, v]) => v.location === 'querystring')
            .map(([, v]) => v.locationName!);
          const implied = op.type === 'list' ? ['nextToken', 'maxResults'] : [];
          assert.deepEqual(
            [...op.queryParams.map((p) => p.member), ...implied].sort(),
            [...query].sort(),
            'every query parameter is declared',
          );
          if (op.type === 'list') {
            assert.equal(shape(input.members!['maxResults']!.shape).min, 1);
            assert.equal(shape(input.members!['maxResults']!.shape).max, 100);
            assert.equal(paginators[op.name]?.result_key, op.listMember, 'listMember is the paginator result_key');
            assert.equal(paginators[op.name]?.limit_key, 'maxResults');
          }
          const out = outputStructure(op);
          assert.deepEqual([...op.members], Object.keys(out.members!), 'members in model order');
          assert.deepEqual([...op.required].sort(), [...(out.required ?? [])].sort(), 'required members');
          for (const t of ['createTime', 'updateTime']) {
            const ts = shape(out.members![t]!.shape);
            assert.equal(ts.type, 'timestamp');
            assert.equal(ts.timestampFormat, 'iso8601');
            assert.ok(op.required.includes(t));
          }
          assert.equal(out.members!['status']?.shape, k.statusShape);
          assert.ok(op.required.includes('status') && op.required.includes('name'));
          if (op.type === 'get' || Object.keys(k.get).length === 0)
            assert.ok(out.members!['statusDetails'], `${op.name} carries statusDetails`);
        });
      }

      it('Get parameters can be filled from every List item of the same view', () => {
        for (const get of Object.values(k.get)) {
          for (const list of k.lists.filter((l) => l.view === get.view)) {
            for (const p of [...get.pathParams, ...get.queryParams]) {
              const src = sourceMember(k, p.from);
              assert.ok(src && list.members.includes(src), `${get.name}.${p.member} from ${list.name}.${src}`);
            }
          }
        }
      });

      it('List parameters come from parents or filters', () => {
        for (const list of k.lists) {
          for (const p of [...list.pathParams, ...list.queryParams]) {
            assert.notEqual(p.from, 'arn');
            if (p.from === 'status') continue;
            assert.ok(
              k.parents[p.from as keyof KindDecl['parents']] !== undefined ||
                ['membershipId', 'collaborationId'].includes(p.from) ||
                p.member === k.arn?.member,
              `${list.name}.${p.member} from ${p.from}`,
            );
          }
        }
      });

      it('parents are the model members they say, of the shape they say', () => {
        for (const [key, p] of Object.entries(k.parents) as Array<[string, ParentDecl]>) {
          const found = opsOf(k).filter((op) => outputStructure(op).members![p.member]);
          assert.ok(found.length > 0, `parent ${key} (${p.member}) in some output`);
          for (const op of found) {
            const name = outputStructure(op).members![p.member]!.shape;
            assert.equal(shape(name).type, 'string');
            if (p.id.type === 'uuid') assert.equal(name, 'UUID', `${op.name}.${p.member}`);
            else if (p.id.type === 'resource') {
              assert.equal(name, KINDS[p.id.kind].arn?.shape, `${op.name}.${p.member} is the ARN of a ${p.id.kind}`);
              if (p.id.version !== undefined) assert.equal(k.parents[p.id.version]?.id.type, 'uuid', `${key} version ${p.id.version}`);
            } else {
              assert.equal(name, p.id.shape, `${op.name}.${p.member}`);
              assert.equal(p.id.pattern.source.replaceAll('\\/', '/'), `^${shape(name).pattern}$`, `${key} pattern`);
            }
          }
          // A member typed as the ARN of a watched kind is declared as that parent resource.
          for (const op of opsOf(k))
            for (const [m, v] of Object.entries(outputStructure(op).members!)) {
              const of = ALL_KINDS.find((x) => x.arn?.shape === v.shape);
              if (of === undefined || m === k.arn?.member) continue;
              const decl = Object.values(k.parents).find((d) => d.member === m);
              assert.equal(decl?.id.type === 'resource' && decl.id.kind, of.kind, `${op.name}.${m} is declared a parent ${of.kind}`);
            }
        }
      });

      it('identity: the ARN for kinds with one, else under a parent resource, of members every List item has', () => {
        assert.equal(k.identity.from, k.arn ? 'arn' : 'parent');
        if (k.identity.from === 'parent') {
          const p = k.parents[k.identity.parent];
          assert.equal(p?.id.type, 'resource', `${k.identity.parent} is a parent resource`);
          assert.ok(k.identity.members.includes(p!.member) && k.identity.members.includes('name'));
          assert.match(k.identity.segment, /^[a-z]+$/);
        }
        for (const list of k.lists)
          for (const m of k.identity.members) assert.ok(list.members.includes(m), `${list.name} has identity member ${m}`);
        if (k.versionMember) for (const op of opsOf(k)) assert.equal(outputStructure(op).members![k.versionMember]?.shape, 'UUID');
      });

      it('tags: read from the Gets that carry them, else inherited from a parent resource', () => {
        const carrying = Object.values(k.get).filter((g) => outputStructure(g).members!['tags']);
        for (const g of carrying) assert.equal(shape(outputStructure(g).members!['tags']!.shape).type, 'map', `${g.name}.tags`);
        assert.equal(k.tags.member, carrying.length > 0 ? 'tags' : undefined);
        if (k.tags.inherit !== undefined)
          assert.equal(k.parents[k.tags.inherit]?.id.type, 'resource', `${k.kind} inherits from a resource`);
        // Every read of the kind that carries no tags has a parent to take them from, where it has one.
        const parentResources = Object.values(k.parents).filter((p) => p.id.type === 'resource' && p.id.kind !== k.kind);
        if (carrying.length < opsOf(k).filter((op) => op.type === 'get').length || Object.keys(k.get).length === 0)
          assert.equal(k.tags.inherit !== undefined, parentResources.length > 0, `${k.kind}: inherit where a parent resource exists`);
      });

      it('once: a member of its own names a result shown as a column', () => {
        if (k.once === undefined) return;
        assert.ok(k.results.some((r) => r.key === k.once!.column.result));
        assert.notEqual(k.once.member, 'resources');
      });

      it('results resolve in the model with the declared type and range', () => {
        for (const r of k.results) {
          let resolvedIn = 0;
          for (const op of opsOf(k)) {
            const name = resolveItems(outputStructure(op), r.type === 'number' ? r.items : undefined, r.value);
            if (!name) continue;
            resolvedIn++;
            const s = shape(name);
            if (r.type === 'number') {
              const d = shape(r.shape);
              assert.equal(s.type, d.type, `${op.name} ${r.key} type`);
              assert.equal(r.integer, ['integer', 'long'].includes(s.type), `${r.key} integer`);
              assert.equal(s.min, r.min, `${op.name} ${r.key} min`);
              assert.equal(s.max, r.max, `${op.name} ${r.key} max`);
              for (const [label, lp] of Object.entries(r.labels ?? {})) {
                const ln = resolveItems(outputStructure(op), r.items, lp);
                assert.ok(ln, `${r.key} label path ${lp.join('.')}`);
                assert.ok(['string', 'integer', 'long'].includes(shape(ln).type));
                // A number in the model is written back as a number in webhook bodies.
                assert.equal(
                  r.labelNumbers?.[label] !== undefined,
                  shape(ln).type !== 'string',
                  `${r.key} label ${label}: labelNumbers lists exactly the labels the model types as numbers`,
                );
              }
              if (r.table) {
                assert.ok(r.items, `${r.key}: only a list result is a table`);
                assert.ok(r.labels?.[r.table.rowLabel], `${r.key} table row label`);
                const unitPath = r.table.unitLabel === undefined ? undefined : r.labels?.[r.table.unitLabel];
                if (r.table.unitLabel) assert.ok(unitPath, `${r.key} table unit label`);
                if (unitPath && r.table.units) {
                  const values = shape(resolveItems(outputStructure(op), r.items, unitPath)!).enum ?? [];
                  for (const u of Object.keys(r.table.units)) assert.ok(values.includes(u), `${r.key} table unit ${u} is in the model`);
                }
              }
            } else if (r.type === 'enum') {
              assert.equal(name, r.shape);
              assert.deepEqual([...r.values], s.enum);
            } else {
              assert.equal(s.type, 'timestamp');
              assert.equal(s.timestampFormat, 'iso8601');
            }
          }
          assert.ok(resolvedIn > 0, `${r.key} resolves in some operation`);
          assert.match(r.key, /^[a-z][a-z0-9_]*$/);
        }
      });

      it('labels resolve to strings and facts to declared values', () => {
        for (const l of k.labels) {
          const names = opsOf(k)
            .map((op) => resolve(outputStructure(op), l.path))
            .filter((n): n is string => n !== undefined);
          assert.ok(names.length > 0, `label ${l.label} resolves`);
          for (const n of names) assert.equal(shape(n).type, 'string', `${l.label} is a string`);
          assert.match(l.label, /^[a-z][a-z0-9_]*$/);
        }
        for (const f of k.facts) {
          if ('label' in f.from) assert.ok(k.labels.some((l) => l.label === (f.from as { label: string }).label));
          if ('result' in f.from) assert.ok(k.results.some((r) => r.key === (f.from as { result: string }).result));
          if ('parent' in f.from) assert.ok(k.parents[f.from.parent]);
          if ('versionIdentifier' in f.from) assert.ok(k.versionMember);
          if ('attribute' in f.from) {
            const member = f.from.attribute;
            assert.ok(
              k.attributes?.some((a) => a.member === member),
              `fact ${f.title}: attribute ${member} is declared`,
            );
          }
        }
      });
    });
  }

  it('every GET operation returning one of these statuses is declared', () => {
    const statusShapes = new Set(ALL_KINDS.map((k) => k.statusShape));
    const declared = new Set(ALL_KINDS.flatMap((k) => opsOf(k).map((o) => o.name)));
    const missing: string[] = [];
    for (const [name, op] of Object.entries(model.operations)) {
      if (op.http.method !== 'GET' || !op.output) continue;
      const out = shape(op.output.shape);
      const listMember = Object.entries(out.members ?? {}).find(([k, v]) => k !== 'nextToken' && shape(v.shape).type === 'list');
      const item = name.startsWith('List') && listMember ? shape(shape(listMember[1].shape).member!.shape) : out;
      const st = item.members?.['status']?.shape;
      if (st && statusShapes.has(st) && !declared.has(name)) missing.push(name);
    }
    assert.deepEqual(missing, []);
  });

  it('kindOfArn finds the kind of each ARN form and nothing else', () => {
    const m = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';
    const base = 'arn:aws:cleanrooms-ml:us-east-1:123456789012';
    assert.equal(kindOfArn(`${base}:audience-generation-job/a1`)?.kind, 'audienceGenerationJob');
    assert.equal(kindOfArn(`${base}:audience-model/a1`)?.kind, 'audienceModel');
    assert.equal(kindOfArn(`${base}:membership/${m}/trained-model/t1`)?.kind, 'trainedModel');
    assert.equal(kindOfArn(`${base}:membership/${m}/trained-model-inference-job/j1`)?.kind, 'trainedModelInferenceJob');
    assert.equal(kindOfArn(`${base}:membership/${m}/ml-input-channel/c1`)?.kind, 'mlInputChannel');
    assert.equal(kindOfArn(`${base}:configured-audience-model/x`), undefined);
    assert.equal(kindOfArn(`${base}:membership/not-a-uuid/trained-model/t1`), undefined);
    assert.equal(kindOfArn(`arn:aws-cn:cleanrooms-ml:cn-north-1:123456789012:audience-model/a`)?.kind, 'audienceModel');
  });
});

describe('docs/kinds.md follows the declarations', () => {
  const doc = readFileSync(new URL('../../docs/kinds.md', import.meta.url), 'utf8');
  it('names every operation, identity, result and label', () => {
    for (const k of ALL_KINDS) {
      assert.ok(doc.includes(`\`${k.kind}\``), k.kind);
      for (const op of [...Object.values(k.get), ...k.lists]) assert.ok(doc.includes(op.name), op.name);
      if (!k.arn || k.versionMember)
        assert.ok(
          doc.includes(
            k.identity.description
              .replace(/^the trained model ARN for a version without versionIdentifier \(the base version\), /, '')
              .replace(/ for the others$/, ''),
          ),
          `${k.kind} identity`,
        );
      for (const r of k.results) assert.ok(doc.includes(r.key), `${k.kind} result ${r.key}`);
      for (const l of k.labels) assert.ok(doc.includes(l.label), `${k.kind} label ${l.label}`);
    }
  });
});
