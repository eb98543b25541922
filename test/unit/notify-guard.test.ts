import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAddress, classifyAddress } from '../../src/notify/guard.js';

const TABLE: Array<[string, 'public' | 'loopback' | 'private' | 'forbidden']> = [
  ['169.254.169.254', 'forbidden'], // IMDS, GCP, Azure, Oracle
  ['169.254.170.23', 'forbidden'], // EKS Pod Identity
  ['169.254.0.1', 'forbidden'],
  ['100.100.100.200', 'forbidden'], // Alibaba metadata
  ['fd00:ec2::254', 'forbidden'], // IMDS over IPv6
  ['fd00:ec2:0:1::1', 'forbidden'],
  ['::ffff:169.254.169.254', 'forbidden'],
  ['::ffff:a9fe:a9fe', 'forbidden'],
  ['[::ffff:a9fe:a9fe]', 'forbidden'],
  ['::169.254.169.254', 'forbidden'],
  ['64:ff9b::a9fe:a9fe', 'forbidden'], // NAT64
  ['2002:a9fe:a9fe::1', 'forbidden'], // 6to4
  ['0.0.0.0', 'forbidden'],
  ['0.1.2.3', 'forbidden'],
  ['::', 'forbidden'],
  ['224.0.0.1', 'forbidden'],
  ['239.255.255.250', 'forbidden'],
  ['255.255.255.255', 'forbidden'],
  ['ff02::1', 'forbidden'],
  ['fe80::1', 'forbidden'],
  ['fe80::1%eth0', 'forbidden'],
  ['127.0.0.1', 'loopback'],
  ['127.8.9.10', 'loopback'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['fc00::1', 'private'],
  ['fd12:3456::1', 'private'],
  ['::ffff:10.0.0.1', 'private'],
  ['8.8.8.8', 'public'],
  ['172.32.0.1', 'public'],
  ['169.255.0.1', 'public'],
  ['54.239.28.85', 'public'],
  ['2600:1f18::1', 'public'],
  ['::ffff:8.8.8.8', 'public'],
  ['1:2:3:4:5:6:1.2.3.4', 'public'],
];

test('address classification table', () => {
  for (const [ip, cls] of TABLE) assert.equal(classifyAddress(ip)?.class, cls, ip);
});

test('non-IPs are not classified', () => {
  for (const s of ['example.com', '1.2.3', '256.1.1.1', '1.2.3.4.5', ':::', '']) assert.equal(classifyAddress(s), undefined, s);
});

test('checkAddress: forbidden always refused; loopback/private only with allowPrivate', () => {
  assert.match(checkAddress('169.254.169.254', { allowPrivate: true }) ?? '', /metadata/);
  assert.match(checkAddress('::ffff:a9fe:a9fe', { allowPrivate: true }) ?? '', /metadata/);
  assert.match(checkAddress('127.0.0.1', { allowPrivate: false }) ?? '', /loopback.*not allowed/);
  assert.equal(checkAddress('127.0.0.1', { allowPrivate: true }), null);
  assert.match(checkAddress('10.0.0.1', { allowPrivate: false }) ?? '', /private/);
  assert.equal(checkAddress('10.0.0.1', { allowPrivate: true }), null);
  assert.equal(checkAddress('8.8.8.8', { allowPrivate: false }), null);
});

test('every cloud metadata endpoint is refused even with allowPrivate; local-use NAT64 and Teredo are not public', () => {
  const metadata = [
    '169.254.169.254', // AWS IMDS, GCP, Azure IMDS, Oracle, DigitalOcean...
    'fd00:ec2::254', // AWS IMDS over IPv6
    'fd00:ec2::23', // EKS Pod Identity over IPv6
    'fd20:ce::254', // GCP metadata over IPv6
    '168.63.129.16', // Azure WireServer
    '::ffff:168.63.129.16',
    '64:ff9b::a83f:8110', // NAT64 of 168.63.129.16
    '100.100.100.200', // Alibaba Cloud
    '192.0.0.192', // Oracle Cloud Classic
    '64:ff9b:1:a9fe:a9:fe00::', // local-use NAT64 /48, RFC 6052 layout of 169.254.169.254
    '64:ff9b:1::a9fe:a9fe', // local-use NAT64 /96 layout
    '2001:0:4136:e378:8000:63bf:5601:5601', // Teredo whose client is 169.254.169.254 (inverted)
  ];
  for (const ip of metadata) {
    assert.equal(classifyAddress(ip)?.class, 'forbidden', ip);
    assert.ok(checkAddress(ip, { allowPrivate: true }) !== null, ip);
  }
  // RFC 8215 local-use NAT64 translates to whatever the operator's network reaches: not public.
  assert.equal(classifyAddress('64:ff9b:1::808:808')?.class, 'private');
  assert.equal(classifyAddress('64:ff9b:1:ffff::1')?.class, 'private');
  assert.match(checkAddress('64:ff9b:1::808:808', { allowPrivate: false }) ?? '', /NAT64.*not allowed/);
  assert.equal(classifyAddress('2001:0:4136:e378:8000:63bf:f7f7:f7f7')?.class, 'private');
  // Neighbours of the metadata addresses keep their ordinary class.
  assert.equal(classifyAddress('168.63.129.17')?.class, 'public');
  assert.equal(classifyAddress('fd20:ce::253')?.class, 'private');
  assert.equal(classifyAddress('64:ff9b:2::1')?.class, 'public');
});
