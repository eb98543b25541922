// Identities: the ARN (plus version for trained models) and, for the two ARN-less kinds, the
// parent ARN (and version), the name and the createTime, distinct for distinct resources.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceId } from '../../src/kinds/identity.js';
import { KINDS } from '../../src/kinds/index.js';

const M = '11111111-1111-4111-8111-111111111111';
const TM = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${M}/trained-model/tm`;
const AGJ = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/j/1';
const V = 'a1a1a1a1-0000-4000-8000-000000000001';
const T = Date.parse('2026-11-28T12:00:00.123Z');

describe('resourceId', () => {
  it('is the ARN for kinds with one', () => {
    assert.equal(resourceId(KINDS.mlInputChannel, { arn: 'arn:x', parents: {}, name: 'n', createTime: T }), 'arn:x');
    assert.throws(() => resourceId(KINDS.audienceModel, { parents: {}, name: 'n', createTime: T }), /ARN is required/);
  });

  it('adds the version of a trained model; the base version is the bare ARN', () => {
    assert.equal(resourceId(KINDS.trainedModel, { arn: TM, parents: {}, name: 'n', createTime: T }), TM);
    assert.equal(
      resourceId(KINDS.trainedModel, { arn: TM, versionIdentifier: V, parents: {}, name: 'n', createTime: T }),
      `${TM}#version=${V}`,
    );
  });

  it('audience export job: parent ARN, encoded name, createTime in ms', () => {
    assert.equal(
      resourceId(KINDS.audienceExportJob, { parents: { audienceGenerationJobArn: AGJ }, name: 'top 10%/#1 @x', createTime: T }),
      `${AGJ}#export=top%2010%25%2F%231%20%40x@2026-11-28T12:00:00.123Z`,
    );
    assert.throws(() => resourceId(KINDS.audienceExportJob, { parents: {}, name: 'n', createTime: T }), /parent ARN is required/);
  });

  it('trained model export job: model ARN, version when given, name, createTime', () => {
    const p = { trainedModelArn: TM, collaborationId: M };
    assert.equal(
      resourceId(KINDS.trainedModelExportJob, { parents: p, name: 'e', createTime: T }),
      `${TM}#export=e@2026-11-28T12:00:00.123Z`,
    );
    assert.equal(
      resourceId(KINDS.trainedModelExportJob, { parents: { ...p, trainedModelVersionIdentifier: V }, name: 'e', createTime: T }),
      `${TM}#version=${V}#export=e@2026-11-28T12:00:00.123Z`,
    );
  });

  it('names that look like the separators cannot make two resources collide', () => {
    const ids = new Set<string>();
    const names = ['a', 'a@2026', 'a#export=b', 'a/b', 'a%2Fb', 'a b', 'a+b'];
    for (const name of names)
      for (const t of [T, T + 1])
        ids.add(resourceId(KINDS.audienceExportJob, { parents: { audienceGenerationJobArn: AGJ }, name, createTime: t }));
    assert.equal(ids.size, names.length * 2);
  });
});
