// `run`: the daemon. Resolves this replica's shard, builds the app, and runs until SIGTERM/SIGINT
// (SIGHUP reloads the config). Returns the exit code; cli.ts exits with it.
import { configWarningsOf } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../log.js';
import { resolveShard } from '../poll/shard.js';
import { createApp } from '../app.js';

export interface RunArgs {
  configPath: string;
  flagIndex: number | undefined;
  flagTotal: number | undefined;
  hostname: string | undefined;
  envTotal: string | undefined;
}

/** Throws ShardError for an impossible shard (a usage error). */
export async function runCommand(config: Config, a: RunArgs): Promise<number> {
  const log = createLogger({ level: config.log.level });
  const shard = resolveShard({
    flagIndex: a.flagIndex,
    flagTotal: a.flagTotal,
    hostname: a.hostname,
    envTotal: a.envTotal,
    configTotal: config.sharding.totalShards,
  });
  for (const w of configWarningsOf(config)) log.warn({ field: w.path, ...(w.line ? { line: w.line } : {}) }, `config: ${w.message}`);
  if (shard) log.info({ shard: shard.index, totalShards: shard.total }, `watching shard ${shard.index} of ${shard.total}`);
  // A fatal error of the app (another monitor took the state dir) stops it like a signal, exit 1.
  let fatal: (err: Error) => void = () => {};
  const app = await createApp({ config, log, configPath: a.configPath, ...(shard ? { shard } : {}), onFatal: (err) => fatal(err) });
  await app.start();
  return waitForSignals(app, log, (f) => (fatal = f));
}

/** Runs until SIGTERM/SIGINT (exit 0) or a fatal error of the app (exit 1), then stops within 10 s. */
function waitForSignals(
  app: { stop(): Promise<void>; reload?: () => Promise<unknown> },
  log: Logger,
  onFatal: (handler: (err: Error) => void) => void,
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let code = 0;
    const onStop = (signal: NodeJS.Signals | 'fatal') => {
      if (stopping) return;
      stopping = true;
      if (signal === 'fatal') code = 1;
      else log.info({ signal }, 'signal received');
      // Failsafe: everything is journaled, so a stuck shutdown may be cut short without loss.
      const failsafe = setTimeout(() => {
        log.error('shutdown took longer than 9.5 s; exiting anyway (state is journaled)');
        log.flush();
        resolve(1);
      }, 9_500);
      failsafe.unref();
      app.stop().then(
        () => {
          clearTimeout(failsafe);
          resolve(code);
        },
        (e: unknown) => {
          clearTimeout(failsafe);
          log.error({ err: { message: (e as Error).message } }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    onFatal(() => onStop('fatal'));
    process.on('SIGHUP', () => {
      void app.reload?.();
    });
  });
}
