// `cleanroomsml-monitor check-config --config FILE`: validate, summarize, exit 0 or 2.
import { ConfigError } from '../config/errors.js';
import { configWarningsOf, loadConfig } from '../config/load.js';
import { staticResourcesOf } from '../config/schema.js';

export interface CheckConfigIO {
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Prints `config OK: ...` to stdout and returns 0 (each warning on its own line to stderr,
 * `warning:` after its place), or prints each problem on its own line, prefixed by the file
 * name (and line, when known), to stderr and returns 2.
 */
export async function checkConfig(path: string, io: CheckConfigIO): Promise<0 | 2> {
  try {
    const c = await loadConfig(path, { env: io.env });
    const names = c.notifications.targets.map((t) => t.name);
    const warnings = configWarningsOf(c);
    for (const w of warnings) io.stderr(`${path}${w.line ? `:${w.line}` : ''}: ${w.path}: warning: ${w.message}`);
    io.stdout(
      `config OK: ${count(staticResourcesOf(c).length, 'static resource', 'static resources')}, ` +
        `${count(c.discovery.length, 'discovery scope', 'discovery scopes')}, ` +
        `${count(names.length, 'notification target', 'notification targets')}${names.length ? ` (${names.join(', ')})` : ''}` +
        (warnings.length > 0 ? `; ${count(warnings.length, 'warning', 'warnings')}` : ''),
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) {
      // Not a config problem but a bug; still exit 2 (the file could not be validated), with no values.
      io.stderr(`${path}: could not check the config: ${err instanceof Error ? err.name : 'error'}`);
      return 2;
    }
    for (const i of err.issues) {
      // File-level issues already start with the file name (`file.yaml:3:5`, `file.yaml`).
      if (i.path === path || i.path.startsWith(`${path}:`)) io.stderr(`${i.path}: ${i.message}`);
      else io.stderr(`${path}${i.line ? `:${i.line}` : ''}: ${i.path}: ${i.message}`);
    }
    return 2;
  }
}
