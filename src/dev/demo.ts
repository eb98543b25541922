// `demo` (what `npm start` runs): the simulator, the monitor and a webhook sink in one process,
// all on 127.0.0.1, with readable logs. Jobs move through their statuses within about a minute;
// one fails. The monitor is the real one: SigV4 over HTTP to the simulator, the real state store,
// the real outbox and notification path.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../config/schema.js';
import { createApp } from '../app.js';
import { createLogger } from '../log.js';
import { startSimulator } from './sim/server.js';
import { DEMO_SCENARIO } from './sim/demo-scenario.js';
import { DEFAULT_COLLABORATION_ID, DEFAULT_MEMBERSHIP_ID } from './sim/defaults.js';
import { prettyDestination } from './demo/pretty.js';
import { startSink } from './demo/sink.js';

// Fixed demo-only credentials: the simulator verifies SigV4 signatures made with them.
const DEMO_CREDENTIALS = { accessKeyId: 'AKIDCLEANROOMSDEMO', secretAccessKey: 'demo-secret-access-key-not-a-real-one' };
const DEMO_WEBHOOK_SECRET = `whsec_${Buffer.from('cleanroomsml-monitor-demo-secret').toString('base64')}`;
export const DEMO_DEFAULT_PORT = 9464;

export interface DemoOptions {
  /** Metrics port on 127.0.0.1 (default 9464; 0 picks a free one). */
  port?: number;
  print?: (line: string) => void;
  /** Resolves when the demo should stop (default: SIGINT/SIGTERM). */
  until?: Promise<unknown>;
}

function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const log = createLogger({ level: 'info', destination: prettyDestination(print) });
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, scenario: DEMO_SCENARIO, credentials: DEMO_CREDENTIALS });
  const sink = await startSink({ secrets: [DEMO_WEBHOOK_SECRET], print });
  const stateDir = await mkdtemp(join(tmpdir(), 'cleanroomsml-monitor-demo-'));
  const config = (port: number) =>
    configSchema.parse({
      aws: { region: 'us-east-1', endpoint: sim.url, requestTimeoutMs: 5_000 },
      discovery: [{ collaborationId: DEFAULT_COLLABORATION_ID }, { membershipId: DEFAULT_MEMBERSHIP_ID }],
      tags: { keys: ['team', 'cost-center'] },
      polling: { schedule: '*/2 * * * * *' },
      // Routed by team (AWS tags): growth hears of its audiences by signed webhook, risk of its
      // model in Slack, and what carries no team goes to the fallback.
      notifications: {
        targets: [
          {
            name: 'growth-webhook',
            type: 'webhook',
            url: `${sink.url}/webhook/growth`,
            secret: DEMO_WEBHOOK_SECRET,
            allowHttp: true,
            tags: { team: 'growth' },
          },
          {
            name: 'risk-slack',
            type: 'slack',
            url: `${sink.url}/slack/T000/B000/risk`,
            allowHttp: true,
            tags: { team: ['risk', 'fraud'] },
          },
          {
            name: 'fallback-webhook',
            type: 'webhook',
            url: `${sink.url}/webhook/fallback`,
            secret: DEMO_WEBHOOK_SECRET,
            allowHttp: true,
            fallback: true,
          },
        ],
      },
      state: { dir: stateDir },
      server: { host: '127.0.0.1', port, admin: { port: 0 } },
    });

  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    app = await createApp({ config: config(opts.port ?? DEMO_DEFAULT_PORT), log, credentials: async () => DEMO_CREDENTIALS });
    await app.start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port !== undefined) throw err;
    // 9464 is taken (another exporter?): the demo still runs, on a free port.
    await app?.stop().catch(() => {});
    app = await createApp({ config: config(0), log, credentials: async () => DEMO_CREDENTIALS });
    await app.start();
  }
  print('');
  print(`cleanroomsml-monitor demo: simulator ${sim.url}, webhook sink ${sink.url}`);
  print(`status page: ${app.adminUrl}/   (open it in a browser)`);
  print(`metrics: ${app.url}/metrics   resources: ${app.adminUrl}/api/resources   readiness: ${app.url}/readyz`);
  print('Routed by the AWS tag team: growth -> /webhook/growth, risk -> Slack, no team -> /webhook/fallback.');
  print('Jobs move through CREATE_PENDING -> CREATE_IN_PROGRESS -> ACTIVE within about a minute; one fails.');
  print(
    'In a membership, a trained model trains, an inference job scores with it, one ML input channel gets ready and one fails. Ctrl-C stops.',
  );
  print('');
  await (opts.until ?? signalled());
  await app.stop();
  await sink.close();
  await sim.close();
  await rm(stateDir, { recursive: true, force: true });
  return 0;
}
