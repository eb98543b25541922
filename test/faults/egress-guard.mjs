// Preloaded into every daemon of the fault suite (`node --import`): keeps all traffic on loopback.
// - A name under .invalid (RFC 6761: never resolves) fails with ENOTFOUND here, as a compliant
//   resolver answers, without a DNS query leaving the machine.
// - Any other name that is not localhost, and any connection to a non-loopback address, is refused
//   and written to FAULTS_EGRESS_LOG, which the runner requires to be empty.
import dns from 'node:dns';
import net from 'node:net';
import { appendFileSync } from 'node:fs';

const logPath = process.env.FAULTS_EGRESS_LOG;
const note = (what) => {
  if (logPath) appendFileSync(logPath, `${new Date().toISOString()} pid ${process.pid}: ${what}\n`);
};
const loopback = (h) => h === 'localhost' || /^127\./.test(h) || h === '::1' || h === '[::1]';
const notFound = (host) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });

const realLookup = dns.lookup;
dns.lookup = function guardedLookup(host, ...rest) {
  // lookup(host, callback) or lookup(host, options, callback): pass on exactly what was given.
  const cb = typeof rest[0] === 'function' ? rest[0] : rest[1];
  if (typeof host === 'string' && !loopback(host) && net.isIP(host) === 0) {
    if (!host.endsWith('.invalid')) note(`refused DNS lookup of ${host}`);
    process.nextTick(() => cb(notFound(host)));
    return {};
  }
  return realLookup.call(this, host, ...rest);
};
const realPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromiseLookup(host, options) {
  if (typeof host === 'string' && !loopback(host) && net.isIP(host) === 0) {
    if (!host.endsWith('.invalid')) note(`refused DNS lookup of ${host}`);
    throw notFound(host);
  }
  return realPromiseLookup.call(this, host, options);
};
const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const o = Array.isArray(args[0]) ? args[0][0] : args[0];
  const host = o && typeof o === 'object' ? o.host : undefined;
  if (typeof host === 'string' && net.isIP(host) !== 0 && !loopback(host)) {
    note(`refused connection to ${host}:${o.port}`);
    process.nextTick(() =>
      this.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host} (fault-suite egress guard)`), { code: 'ECONNREFUSED' })),
    );
    return this;
  }
  return realConnect.apply(this, args);
};
