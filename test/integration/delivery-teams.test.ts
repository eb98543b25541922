// A Teams target end to end, against the real daemon (dist/cli.js run) and the simulator on 127.0.0.1:
// a trained model that fails reaches a local receiver standing in for a Teams Workflows webhook as the
// message envelope with one Adaptive Card, its text from AWS escaped; a 429 from the flow is retried
// after its Retry-After; a refusal is dead-lettered with the flow's error code in the reason, and
// nothing of the URL's signature is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { allDaemonOutput, DAEMON_CREDS, outboxOf, startDaemon, until, workdir, type Daemon } from '../helpers/daemon.js';

const M = '7e6d5c4b-3a29-4f18-8e07-d6c5b4a39281';
const C = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
/** The flow URL's credential, as in a real Workflows URL's `sig` query value. */
const SIG = 'CANARYTEAMSSIGNATURE0123456789';
const NAME = 'churn <img src=x onerror=alert(1)> **v2**';
const MESSAGE = 'Algorithm error: see [details](http://evil.example) or {{DATE(2017-02-14T06:08:00Z)}}';

async function control(simUrl: string, method: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${simUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

/**
 * The simulator, a receiver answering as `answers` says, and the daemon with one Teams target at
 * `path` on the receiver, watching a trained model named `name` (CREATE_IN_PROGRESS) until it is seen.
 */
async function teamsDaemon(name: string, path: string, answers: (rx: Receiver) => void) {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('teams');
  let daemon: Daemon | undefined;
  const close = async () => {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  };
  try {
    answers(rx);
    const [model] = (
      await control(sim.url, 'PUT', '/_sim/resources', {
        resources: [{ kind: 'trainedModel', name, status: 'CREATE_IN_PROGRESS', membershipId: M, collaborationId: C }],
      })
    ).resources;
    await w.writeConfig({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2, requestTimeoutMs: 2_000 },
      discovery: [{ membershipId: M, kinds: ['trainedModel'] }],
      polling: { schedule: '* * * * * *', maxRequestsPerSecond: 100 },
      notifications: {
        targets: [
          {
            name: 'ml-teams',
            type: 'teams',
            url: `${rx.url}${path}`,
            allowHttp: true,
            kinds: ['trainedModel'],
            retry: { baseDelayMs: 100, maxDelayMs: 200 },
          },
        ],
      },
      state: { dir: w.stateDir },
      server: { host: '127.0.0.1', port: 0, admin: { host: '127.0.0.1', port: 0 } },
    });
    daemon = await startDaemon(w);
    const d = daemon;
    await until(async () => {
      const v = (await (await fetch(`${d.adminUrl}/api/jobs`)).json()) as { jobs: Array<{ arn: string }> };
      return v.jobs.some((j) => j.arn === model.id);
    }, 'the trained model watched');
    const fail = (statusDetails?: unknown) =>
      control(sim.url, 'POST', `/_sim/resources/${encodeURIComponent(model.id)}/status`, {
        status: 'CREATE_FAILED',
        ...(statusDetails !== undefined ? { statusDetails } : {}),
      });
    return { rx, daemon: d, model: model as { id: string }, fail, close };
  } catch (err) {
    await close();
    throw err;
  }
}

test('a FAILED trained model reaches a Teams Workflows webhook as an Adaptive Card; 429 retried after Retry-After', async () => {
  const path = `/powerautomate/automations/direct/workflows/0123abcd/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
  // The flow's trigger: 202 Accepted with no body; the first answer is a throttling refusal.
  const t = await teamsDaemon(NAME, path, (rx) => {
    rx.setDefault({ status: 202, body: '' });
    rx.respond({
      status: 429,
      headers: { 'retry-after': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'WorkflowRequestsThrottled', message: 'Rate limit is exceeded.' } }),
    });
  });
  const { rx, daemon, model } = t;
  try {
    await t.fail({ statusCode: 'ALGORITHM_ERROR', message: MESSAGE });
    const [first, second] = await rx.waitFor(2, 15_000);
    await until(async () => (await outboxOf(daemon)).pending.length === 0, 'the outbox empty');

    // The same bytes, re-sent no earlier than Retry-After.
    assert.equal(second!.body, first!.body);
    assert.ok(second!.at - first!.at >= 950, `re-sent ${second!.at - first!.at} ms after the 429`);
    assert.equal(rx.requests.length, 2, 'delivered once the flow accepted it (202)');
    assert.equal(second!.method, 'POST');
    assert.equal(second!.path, path, 'to the configured URL, query included');
    assert.match(String(second!.headers['content-type']), /^application\/json/);
    assert.equal(second!.headers['webhook-signature'], undefined, 'no Standard Webhooks headers');

    const msg = JSON.parse(second!.body);
    assert.deepEqual(Object.keys(msg).sort(), ['attachments', 'type']);
    assert.equal(msg.type, 'message');
    assert.equal(msg.attachments.length, 1);
    const [a] = msg.attachments;
    assert.equal(a.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(a.contentUrl, null);
    const card = a.content;
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.version, '1.4');
    const [header, factSet] = card.body;
    assert.equal(header.type, 'Container');
    assert.equal(header.style, 'attention');
    assert.equal(header.items[0].text, 'Trained model failed');
    assert.equal(header.items[1].inlines[0].text, NAME, 'the name as written, in a TextRun (no Markdown)');
    const facts = Object.fromEntries(factSet.facts.map((f: { title: string; value: string }) => [f.title, f.value]));
    assert.equal(facts.Kind, 'trained model');
    assert.equal(facts.Status, 'CREATE_FAILED (was CREATE_IN_PROGRESS)');
    assert.equal(facts['Failure code'], 'ALGORITHM_ERROR');
    const runs: string[] = card.body.flatMap((e: any) => (e.type === 'RichTextBlock' ? e.inlines.map((i: any) => i.text) : []));
    assert.ok(runs.includes(model.id), 'the ARN');
    assert.ok(runs.includes(MESSAGE.replace('{{', '{\u200b{')), 'why it failed, no date function');
    assert.equal(
      card.fallbackText,
      'Trained model churn \\<img src=x onerror=alert(1)\\> \\*\\*v2\\*\\* failed: CREATE_FAILED (was CREATE_IN_PROGRESS)',
    );
    assert.ok(Buffer.byteLength(second!.body) < 24 * 1024);

    // The 429 was a retry, recorded with the flow's code; the URL's signature never printed.
    assert.match(daemon.stdout(), /"outcome":"retried"[^\n]*WorkflowRequestsThrottled/);
    assert.equal(await daemon.kill('SIGTERM'), 0);
    assert.ok(!allDaemonOutput.join('\n').includes(SIG), 'the sig query value leaked into the output');
  } finally {
    await t.close();
  }
});

test("a flow that takes only signed-in callers: dead-lettered at once, the reason naming the flow's code and the fix", async () => {
  const t = await teamsDaemon('fraud', `/workflows/x/triggers/manual/paths/invoke?sig=${SIG}`, (rx) =>
    rx.setDefault({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        error: { code: 'DirectApiAuthorizationRequired', message: `The request must be authenticated (sig=${SIG}).` },
      }),
    }),
  );
  const { rx, daemon } = t;
  try {
    await t.fail();
    await until(async () => (await outboxOf(daemon)).deadLetters.length === 1, 'a dead letter');
    const [dead] = (await outboxOf(daemon)).deadLetters;
    assert.equal(rx.requests.length, 1, 'not retried');
    assert.equal(dead!.target, 'ml-teams');
    assert.match(
      dead!.reason,
      /HTTP 401: DirectApiAuthorizationRequired \(the flow takes only signed-in callers: set its trigger's "Who can trigger the flow" to "Anyone"\)/,
    );
    assert.match(dead!.reason, /: The request must be authenticated \(sig=\[redacted\]\)\.$/, "the flow's message, scrubbed");
    assert.equal(await daemon.kill('SIGTERM'), 0);
    assert.ok(!allDaemonOutput.join('\n').includes(SIG), 'the sig query value leaked into the output');
  } finally {
    await t.close();
  }
});
