// proxyFor / bypassesProxy: the proxy rules as curl reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bypassesProxy, describeProxy, proxyFor, proxySummary, ProxyConfigError } from '../../src/net/proxy-env.js';

const P = 'http://proxy.internal:3128';
const via = (url: string, env: Record<string, string>) => proxyFor(new URL(url), env)?.href;

test('the target scheme picks the variable; lower case wins over upper case; empty means unset', () => {
  assert.equal(via('https://hooks.example.com/x', { HTTPS_PROXY: P }), `${P}/`);
  assert.equal(via('http://hooks.example.com/x', { HTTPS_PROXY: P }), undefined, 'https_proxy is not used for http://');
  assert.equal(via('http://hooks.example.com/x', { HTTP_PROXY: P }), `${P}/`);
  assert.equal(via('https://a.example.com', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1/');
  assert.equal(via('https://a.example.com', { https_proxy: ' ', HTTPS_PROXY: 'http://upper:2' }), 'http://upper:2/');
  assert.equal(via('https://a.example.com', {}), undefined);
  assert.equal(via('https://a.example.com', { HTTPS_PROXY: 'proxy.internal:3128' }), 'http://proxy.internal:3128/', 'no scheme: http://');
  assert.equal(via('https://a.example.com', { HTTPS_PROXY: 'https://tls-proxy:443' }), 'https://tls-proxy/');
});

test('a bad proxy URL is an error naming the variable, never its value (it may hold a password)', () => {
  for (const value of ['socks5://user:hunter2@p:1080', 'http://user:hunter2@[bad']) {
    assert.throws(
      () => proxyFor(new URL('https://a.example.com'), { HTTPS_PROXY: value }),
      (e: Error) => e instanceof ProxyConfigError && e.message.startsWith('HTTPS_PROXY') && !e.message.includes('hunter2'),
    );
  }
  assert.equal(describeProxy(new URL('http://user:hunter2@p:3128')), 'http://p:3128');
});

test('NO_PROXY: *, domain suffixes on a label boundary, ports, IPs, CIDR, IPv6', () => {
  const cases: Array<[string, number, string, boolean]> = [
    ['anything.example', 443, '*', true],
    ['example.com', 443, 'example.com', true],
    ['hooks.example.com', 443, 'example.com', true],
    ['hooks.example.com', 443, '.example.com', true],
    ['hooks.example.com', 443, '*.example.com', true],
    ['badexample.com', 443, 'example.com', false],
    ['example.com.', 443, 'EXAMPLE.com', true],
    ['hooks.example.com', 443, 'hooks.example.com:443', true],
    ['hooks.example.com', 8443, 'hooks.example.com:443', false],
    ['10.1.2.3', 80, '10.0.0.0/8', true],
    ['11.1.2.3', 80, '10.0.0.0/8', false],
    ['10.1.2.3', 80, '10.1.2.3', true],
    ['10.1.2.3', 80, '2.3', false],
    ['fd00::1', 443, 'fd00::/8', true],
    ['::1', 443, '::1', true],
    ['::1', 443, '[::1]:443', true],
    ['::1', 8443, '[::1]:443', false],
    ['svc.cluster.local', 80, ' foo.com , .cluster.local ', true],
    ['svc.cluster.local', 80, 'foo.com svc.cluster.local', true],
    ['metadata.internal', 80, '10.0.0.0/8', false],
    ['a.example.com', 443, '', false],
  ];
  for (const [host, port, noProxy, want] of cases)
    assert.equal(bypassesProxy(host, port, noProxy), want, `${host}:${port} with NO_PROXY=${noProxy}`);
  assert.equal(via('https://hooks.example.com', { HTTPS_PROXY: P, no_proxy: 'example.com', NO_PROXY: '' }), undefined);
  assert.equal(
    via('https://hooks.example.com', { HTTPS_PROXY: P, no_proxy: 'other.com', NO_PROXY: '*' }),
    `${P}/`,
    'lower-case no_proxy wins',
  );
  assert.equal(via('http://127.0.0.1:4566/x', { HTTP_PROXY: P }), `${P}/`, 'loopback is not exempt unless listed');
});

test('proxySummary: what the start-up log shows, without credentials; a bad URL stops the start', () => {
  assert.deepEqual(proxySummary({ HTTPS_PROXY: 'http://user:hunter2@p.internal:3128', no_proxy: '.svc,10.0.0.0/8' }), {
    httpsProxy: 'http://p.internal:3128',
    noProxy: '.svc,10.0.0.0/8',
  });
  assert.deepEqual(proxySummary({ NO_PROXY: '*' }), {}, 'NO_PROXY alone says nothing');
  assert.throws(
    () => proxySummary({ https_proxy: 'ftp://user:hunter2@p' }),
    (e: Error) => e.message === 'https_proxy: only http:// and https:// proxies are supported',
  );
});
