// `cleanroomsml-monitor simulate --port N [--host H] [--scenario FILE] [--jobs N]`: run the
// simulator until SIGTERM/SIGINT.
import { loadScenarioFile } from './scenario.js';
import { startSimulator } from './server.js';

export interface SimulateArgs {
  port: number;
  host?: string;
  scenario?: string;
  jobs?: number;
  seed?: number;
}

/** Minimal logger shape (pino fits). */
export interface SimLog {
  info(obj: object, msg?: string): void;
}

const consoleLog: SimLog = { info: (obj, msg) => console.log(msg ?? '', JSON.stringify(obj)) };

export async function runSimulateCommand(args: SimulateArgs, log: SimLog = consoleLog): Promise<void> {
  const scenario = args.scenario ? await loadScenarioFile(args.scenario) : undefined;
  const sim = await startSimulator({
    port: args.port,
    host: args.host ?? '127.0.0.1',
    ...(scenario ? { scenario } : {}),
    ...(args.jobs ? { jobs: args.jobs } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
  log.info({ url: sim.url, jobs: sim.jobs().length, scenario: args.scenario ?? null }, `Clean Rooms ML simulator listening on ${sim.url}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      log.info({ signal }, 'simulator stopping');
      void sim.close().then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
