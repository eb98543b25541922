#!/usr/bin/env node
// argv -> verb. The only place that calls process.exit. Exit codes: 0 ok, 1 runtime failure,
// 2 usage or config error.
import { parseArgs } from 'node:util';
import { loadConfig } from './config/load.js';
import { checkConfig } from './commands/check-config.js';
import { ConfigError } from './config/errors.js';
import { createLogger } from './log.js';
import { VERSION } from './version.js';
import { StateRefusedError } from './state/errors.js';
import { ShardError } from './poll/shard.js';
import { DevToolMissingError, loadDevTool } from './dev-tool.js';

const HELP = `cleanroomsml-monitor ${VERSION}: watch AWS Clean Rooms ML jobs, models and input channels

Usage:
  cleanroomsml-monitor run --config FILE [--shard I --total-shards N]
                                                    run the daemon (metrics, webhooks); with shards, this
                                                    replica calls the discovery Lists of shard I and watches
                                                    what they find (statics no List covers: by ARN hash)
                                                    (default: the StatefulSet ordinal in HOSTNAME when
                                                    CRML_TOTAL_SHARDS or sharding.totalShards is > 1)
  cleanroomsml-monitor check-config --config FILE   validate a config (exit 0 valid, 2 invalid)
  cleanroomsml-monitor once --config FILE [--json]  one read-only sweep, printed as a table or JSON
  cleanroomsml-monitor outbox list --config FILE [--json]
  cleanroomsml-monitor outbox retry (ID... | --all) --config FILE
  cleanroomsml-monitor outbox discard (ID... | --all) --config FILE
                                                    list or re-send dead-lettered notifications
  cleanroomsml-monitor history ID --config FILE [--json]
                                                    one resource (ARN or id) and its history: each
                                                    status, how long it took, the usual duration
  cleanroomsml-monitor simulate --port N [--host H] [--scenario FILE] [--jobs N]
                                                    a local Clean Rooms ML API simulator (source checkout only)
  cleanroomsml-monitor demo [--port N]              simulator + monitor + webhook sink in one process
                                                    (source checkout only)
  cleanroomsml-monitor --version | --help
`;

class UsageError extends Error {}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing ${flag}`);
  return value;
}

function intFlag(value: string | undefined, flag: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return n;
}

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  scenario: { type: 'string' },
  jobs: { type: 'string' },
  shard: { type: 'string' },
  'total-shards': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  const verb = positionals[0];
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (values.help || verb === undefined || verb === 'help') {
    process.stdout.write(HELP);
    return verb === undefined && !values.help ? 2 : 0;
  }
  return runVerb(verb, values, positionals);
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);
const line = (write: (s: string) => void) => (s: string) => write(s.endsWith('\n') ? s : `${s}\n`);

async function runVerb(verb: string, values: Flags, positionals: readonly string[]): Promise<number> {
  switch (verb) {
    case 'check-config':
      return checkConfig(need(values.config, '--config FILE'), { env: process.env, stdout: line(out), stderr: line(err) });
    case 'run': {
      const config = await loadConfig(need(values.config, '--config FILE'));
      const { runCommand } = await import('./commands/run.js');
      return runCommand(config, {
        configPath: need(values.config, '--config FILE'),
        flagIndex: intFlag(values.shard, '--shard'),
        flagTotal: intFlag(values['total-shards'], '--total-shards'),
        hostname: process.env['HOSTNAME'],
        envTotal: process.env['CRML_TOTAL_SHARDS'],
      });
    }
    case 'once': {
      const config = await loadConfig(need(values.config, '--config FILE'));
      const log = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, destination: process.stderr });
      const [{ onceCommand }, { systemClock }] = await Promise.all([import('./commands/once.js'), import('./clock.js')]);
      return onceCommand(config, { json: values.json === true, out, log, clock: systemClock });
    }
    case 'outbox':
      return outboxVerb(values, positionals);
    case 'history':
      return historyVerb(values, positionals);
    case 'simulate':
    case 'demo':
      return devVerb(verb, values);
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}

async function outboxVerb(values: Flags, positionals: readonly string[]): Promise<number> {
  const sub = positionals[1];
  if (sub !== 'list' && sub !== 'retry' && sub !== 'discard') throw new UsageError('outbox needs "list", "retry" or "discard"');
  const config = await loadConfig(need(values.config, '--config FILE'));
  const { runOutboxCommand } = await import('./commands/outbox.js');
  return runOutboxCommand(config, { sub, ids: positionals.slice(2), all: values.all === true, json: values.json === true, out, err });
}

async function historyVerb(values: Flags, positionals: readonly string[]): Promise<number> {
  const id = positionals[1];
  if (id === undefined || positionals.length > 2)
    throw new UsageError('history needs one resource id (its ARN, or the id /api/resources gives)');
  const config = await loadConfig(need(values.config, '--config FILE'));
  const { historyCommand } = await import('./commands/history.js');
  return historyCommand(config, { id, json: values.json === true, out, err });
}

/** The development tools (simulator, demo): not in the published package. */
async function devVerb(verb: 'simulate' | 'demo', values: Flags): Promise<number> {
  if (verb === 'demo') {
    const { runDemo } = await loadDevTool('demo');
    return runDemo({ ...(values.port ? { port: intFlag(values.port, '--port')! } : {}) });
  }
  const { runSimulateCommand } = await loadDevTool('simulate');
  await runSimulateCommand({
    port: intFlag(values.port, '--port', 4566)!,
    ...(values.host ? { host: values.host } : {}),
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(values.jobs ? { jobs: intFlag(values.jobs, '--jobs')! } : {}),
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let pino's async destination drain before exiting.
    setImmediate(() => process.exit(code));
  },
  (e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof UsageError || e instanceof ShardError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(e as Error).message}\n\n${HELP}`);
      process.exit(2);
    }
    if (e instanceof DevToolMissingError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof StateRefusedError || (e instanceof Error && e.name === 'ProxyConfigError')) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
