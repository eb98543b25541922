// docs/reliability.md row 6: the address guard on the one notification HTTP path. Nothing may bind
// 169.254.x here, so "never reached" is shown two ways: a stub on 127.0.0.1 that plays the metadata
// service and must see zero connections (redirect target; DNS answer mixing it with 169.254.169.254),
// and refusals whose reason says the guard refused before connecting (a connect attempt to an
// unbound address would end in a network error or a timeout instead). Then the same through the
// real daemon: such targets are dead-lettered with the guard's reason, no retry loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send } from '../../src/notify/send.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  baseConfig,
  DAEMON_CREDS,
  getText,
  metricSample,
  observed,
  outboxOf,
  startDaemon,
  until,
  workdir,
  type Daemon,
} from '../helpers/daemon.js';

const COLLAB = '6e5d4c3b-8a9f-4b0c-9dbe-3a4f5b6c7d8e';
const req = (url: string) => ({
  url,
  headers: { 'content-type': 'application/json' },
  body: '{}',
  timeoutMs: 2_000,
  allowHttp: true,
  allowPrivate: true,
});

test('6a. send(): metadata literals, IPv4-mapped forms, names resolving to metadata and redirects are refused before any connection', async () => {
  const metadata = await startReceiver(); // plays 169.254.169.254
  const redirector = await startReceiver();
  try {
    const metaUrl = `${metadata.url}/latest/meta-data/iam/security-credentials/`;
    const cases: Array<[string, string, Parameters<typeof send>[1]?]> = [
      ['literal', 'http://169.254.169.254/latest/meta-data/'],
      ['IPv4-mapped literal', 'http://[::ffff:169.254.169.254]/latest/meta-data/'],
      ['IPv4-mapped hex', 'http://[::ffff:a9fe:a9fe]/latest/meta-data/'],
      ['EKS Pod Identity', 'http://169.254.170.23/v1/credentials'],
      ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/latest/meta-data/'],
      [
        'name -> 169.254.169.254',
        'http://metadata.attacker.test/hook',
        { resolve: async () => [{ address: '169.254.169.254', family: 4 }] },
      ],
      [
        'name -> ::ffff:169.254.169.254',
        'http://metadata6.attacker.test/hook',
        { resolve: async () => [{ address: '::ffff:169.254.169.254', family: 6 }] },
      ],
      // DNS rebinding: one answer is the (reachable) stub, one is metadata; the whole lot is refused.
      [
        'name -> stub + metadata',
        `http://rebind.attacker.test:${metadata.port}/latest/meta-data/`,
        {
          resolve: async () => [
            { address: '127.0.0.1', family: 4 },
            { address: '169.254.169.254', family: 4 },
          ],
        },
      ],
    ];
    for (const [what, url, deps] of cases) {
      const r = await send(req(url), deps);
      assert.equal(r.outcome, 'permanent', what);
      assert.match(
        (r as { reason: string }).reason,
        /^address refused: (link-local or cloud metadata|AWS metadata)/,
        `${what}: ${(r as { reason: string }).reason}`,
      );
    }
    // Redirects are never followed, to a metadata literal or to the stub.
    for (const location of ['http://169.254.169.254/latest/meta-data/', metaUrl]) {
      redirector.respond({ status: 302, headers: { location } });
      const r = await send(req(`${redirector.url}/hook`));
      assert.deepEqual(r, { outcome: 'permanent', status: 302, reason: 'redirect refused (HTTP 302)' });
    }
    assert.equal(redirector.requests.length, 2, 'the redirecting receiver was asked');
    assert.equal(metadata.connections(), 0, 'the metadata stub was never reached');
    // Control: the stub is reachable when nothing forbids it (so 0 above means something).
    assert.equal((await send(req(metaUrl))).outcome, 'delivered');
    assert.equal(metadata.connections(), 1);
    console.log(
      `# test 6a: ${cases.length} metadata targets + 2 redirects refused before connect; stub connections before the control request: 0`,
    );
  } finally {
    await metadata.close();
    await redirector.close();
  }
});

test('6b. the daemon dead-letters metadata targets and redirects with the guard reason; the stub is never reached', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const metadata = await startReceiver();
  const redirector = await startReceiver();
  const w = await workdir('guard');
  let daemon: Daemon | undefined;
  try {
    redirector.setDefault({ status: 302, headers: { location: `${metadata.url}/latest/meta-data/` } });
    const [job] = sim.putJobs([{ name: 'guarded', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB }]);
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [
          { name: 'imds', type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/', allowHttp: true },
          { name: 'imds-mapped', type: 'webhook', url: 'http://[::ffff:169.254.169.254]/latest/meta-data/', allowHttp: true },
          { name: 'redirect', type: 'webhook', url: `${redirector.url}/hook`, allowHttp: true },
          // Private addresses need allowPrivate; https does not imply it.
          { name: 'private-no', type: 'webhook', url: `https://127.0.0.1:${metadata.port}/hook`, allowPrivate: false },
        ],
      }),
    );
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === 1, 'first sweep');
    sim.setStatus(job!.audienceGenerationJobArn as string, { status: 'ACTIVE' });
    await until(async () => (await outboxOf(daemon!)).deadLetters.length === 4, 'four dead letters');
    await new Promise((r) => setTimeout(r, 1_000));
    const ob = await outboxOf(daemon);
    const reason = (t: string) => ob.deadLetters.find((d) => d.target === t)?.reason;
    assert.equal(reason('imds'), 'address refused: link-local or cloud metadata (169.254.0.0/16)');
    assert.equal(reason('imds-mapped'), 'address refused: link-local or cloud metadata (169.254.0.0/16)');
    assert.equal(reason('redirect'), 'redirect refused (HTTP 302)');
    assert.equal(reason('private-no'), 'address refused: loopback (127.0.0.0/8) (not allowed for this target)');
    assert.equal(redirector.requests.length, 1, 'one attempt, no retry loop');
    assert.equal(metadata.connections(), 0, 'the metadata stub was never reached');
    const m = await getText(`${daemon.url}/metrics`);
    for (const t of ['imds', 'imds-mapped', 'redirect', 'private-no'])
      assert.equal(metricSample(m, 'cleanroomsml_monitor_dead_letters', { target: t }), 1);
    console.log(
      '# test 6b: daemon dead-lettered 169.254.169.254, [::ffff:169.254.169.254], a 302 and a loopback target without allowPrivate, 1 attempt each, metadata stub connections 0',
    );
    assert.equal(await daemon.kill('SIGTERM'), 0);
  } finally {
    await daemon?.kill('SIGKILL');
    await metadata.close();
    await redirector.close();
    await sim.close();
  }
});
