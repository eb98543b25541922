import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsUriEncode, parseArn } from '../../src/aws/arn.js';
import { kindOfArn } from '../../src/kinds/index.js';
import { partitionOf, resolveEndpoint } from '../../src/aws/endpoint.js';

describe('parseArn', () => {
  it('splits an ARN into its six parts; the resource keeps its slashes', () => {
    assert.deepEqual(parseArn('arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa'), {
      partition: 'aws',
      service: 'cleanrooms-ml',
      region: 'us-east-1',
      account: '123456789012',
      resource: 'audience-generation-job/0f1e2d3c-aaaa',
    });
    assert.equal(
      parseArn('arn:aws-cn:cleanrooms-ml:cn-north-1:123456789012:audience-generation-job/a/b.c_d')?.resource,
      'audience-generation-job/a/b.c_d',
    );
    assert.equal(parseArn('arn:aws:cleanrooms-ml:us-east-1'), undefined);
  });
});

describe('the ARN of a kind (its declared pattern)', () => {
  it('is recognised in every partition, with slashes in the id', () => {
    assert.equal(
      kindOfArn('arn:aws-cn:cleanrooms-ml:cn-north-1:123456789012:audience-generation-job/a/b.c_d')?.kind,
      'audienceGenerationJob',
    );
  });
  it('rejects what the model pattern rejects', () => {
    for (const bad of [
      '',
      'arn:aws:cleanrooms-ml:us-east-1:12345678901:audience-generation-job/x',
      'arn:aws:cleanrooms:us-east-1:123456789012:audience-generation-job/x',
      'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/x',
      'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/',
      'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/a b',
      ' arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/x',
      `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${'x'.repeat(2048)}`,
    ])
      assert.equal(kindOfArn(bad), undefined, bad);
  });
});

describe('awsUriEncode', () => {
  it('makes an ARN one path segment like the SDK', () => {
    assert.equal(
      awsUriEncode('arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/a'),
      'arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A123456789012%3Aaudience-generation-job%2Fa',
    );
    assert.equal(awsUriEncode("a!'()*b c"), 'a%21%27%28%29%2Ab%20c');
  });
});

describe('resolveEndpoint', () => {
  it('follows the rule set per partition', () => {
    assert.equal(resolveEndpoint('us-east-1').href, 'https://cleanrooms-ml.us-east-1.amazonaws.com/');
    assert.equal(resolveEndpoint('cn-north-1').href, 'https://cleanrooms-ml.cn-north-1.amazonaws.com.cn/');
    assert.equal(resolveEndpoint('us-gov-west-1').href, 'https://cleanrooms-ml.us-gov-west-1.amazonaws.com/');
    assert.equal(resolveEndpoint('us-east-1', { useFips: true }).href, 'https://cleanrooms-ml-fips.us-east-1.amazonaws.com/');
    assert.equal(partitionOf('us-iso-east-1').dnsSuffix, 'c2s.ic.gov');
  });
  it('lets a custom endpoint win and refuses FIPS with it', () => {
    assert.equal(resolveEndpoint('us-east-1', { endpoint: 'http://127.0.0.1:4566' }).host, '127.0.0.1:4566');
    assert.throws(() => resolveEndpoint('us-east-1', { endpoint: 'http://127.0.0.1:1', useFips: true }), /FIPS and custom endpoint/);
  });
  it('refuses a region that is not a host label', () => {
    assert.throws(() => resolveEndpoint('us-east-1.evil.com/'), /invalid AWS region/);
  });
});
