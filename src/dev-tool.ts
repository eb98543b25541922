// The simulator and the demo are development tools: their code lives in src/dev (compiled to
// dist/dev), which the npm package and the container image leave out. The CLI reaches them only
// through loadDevTool, with a computed specifier, so production code has no compile-time edge into
// src/dev and builds without it (test/unit/dev-tool.test.ts keeps it so).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A development verb was run where src/dev is not shipped (the installed package, the image). */
export class DevToolMissingError extends Error {
  override name = 'DevToolMissingError';
}

/** What `simulate` needs from dev/sim/command.js. */
export interface SimulateModule {
  runSimulateCommand(opts: { port: number; host?: string; scenario?: string; jobs?: number }): Promise<void>;
}

/** What `demo` needs from dev/demo.js. */
export interface DemoModule {
  runDemo(opts: { port?: number }): Promise<number>;
}

/** The development modules the CLI loads, by path under dev/. */
export const DEV_TOOLS = { simulate: 'sim/command.js', demo: 'demo.js' } as const;

type DevModules = { simulate: SimulateModule; demo: DemoModule };

/**
 * Imports the module behind a development verb. `base` is the directory that holds dev/ (the
 * directory of this file unless a test says otherwise).
 */
export async function loadDevTool<V extends keyof DevModules>(verb: V, base: URL = new URL('./', import.meta.url)): Promise<DevModules[V]> {
  const url = new URL(`dev/${DEV_TOOLS[verb]}`, base);
  try {
    return (await import(url.href)) as DevModules[V];
  } catch (e) {
    // Only the entry file being absent means "not a source checkout"; any other failure is real.
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && !existsSync(fileURLToPath(url))) {
      throw new DevToolMissingError(
        `${verb} is a development tool: run it from a source checkout (npm ci && npm run build && node dist/cli.js ${verb})`,
      );
    }
    throw e;
  }
}
