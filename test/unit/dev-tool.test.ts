// The development tree (src/dev: the simulator and the demo) stays out of production: no production
// module imports it, and the CLI reaches it only through loadDevTool, which tells a user of the
// installed package or the image what to do instead of failing with a stack trace.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { DEV_TOOLS, DevToolMissingError, loadDevTool, type DemoModule, type SimulateModule } from '../../src/dev-tool.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const DEV = join(SRC, 'dev');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier of a file: static imports and re-exports, side-effect imports, import(). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const re of [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g]) {
    for (const m of text.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

describe('the development tree boundary', () => {
  it('no production module under src/ imports from src/dev', () => {
    const production = tsFiles(SRC).filter((f) => !f.startsWith(`${DEV}/`));
    assert.ok(production.length > 20, `found ${production.length} production files`);
    const offenders: string[] = [];
    for (const file of production) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (target === DEV || target.startsWith(`${DEV}/`)) offenders.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the specifier scan sees static, side-effect and dynamic imports (so the check above can fail)', () => {
    const text =
      "import { a } from './dev/sim/server.js';\nimport './dev/demo.js';\nconst m = await import('./dev/x.js');\nexport * from \"./dev/y.js\";";
    assert.deepEqual(specifiers(text).sort(), ['./dev/demo.js', './dev/sim/server.js', './dev/x.js', './dev/y.js']);
  });

  it('every development verb points at a module that exists in src/dev', () => {
    for (const file of Object.values(DEV_TOOLS)) {
      assert.ok(tsFiles(DEV).includes(join(DEV, file.replace(/\.js$/, '.ts'))), `src/dev/${file}`);
    }
  });
});

describe('loadDevTool', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempBase = () => {
    const d = mkdtempSync(join(tmpdir(), 'crml-devtool-'));
    dirs.push(d);
    return d;
  };

  it('loads the simulator and the demo from a source checkout', async () => {
    // Type-level: the real modules satisfy what the CLI expects of them.
    const sim: SimulateModule = await import('../../src/dev/sim/command.js');
    const demo: DemoModule = await import('../../src/dev/demo.js');
    assert.equal((await loadDevTool('simulate')).runSimulateCommand, sim.runSimulateCommand);
    assert.equal((await loadDevTool('demo')).runDemo, demo.runDemo);
  });

  it('without dev/ (the installed package, the image): a DevToolMissingError that says what to do', async () => {
    const base = pathToFileURL(`${tempBase()}/`);
    for (const verb of ['simulate', 'demo'] as const) {
      await assert.rejects(loadDevTool(verb, base), (e: unknown) => {
        assert.ok(e instanceof DevToolMissingError);
        assert.equal(
          e.message,
          `${verb} is a development tool: run it from a source checkout (npm ci && npm run build && node dist/cli.js ${verb})`,
        );
        return true;
      });
    }
  });

  it('a dev module that is present but broken fails with its own error, not "not a source checkout"', async () => {
    const dir = tempBase();
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    mkdirSync(join(dir, 'dev/sim'), { recursive: true });
    writeFileSync(join(dir, 'dev/sim/command.js'), "import './missing-sibling.js';\nexport async function runSimulateCommand() {}\n");
    await assert.rejects(loadDevTool('simulate', pathToFileURL(`${dir}/`)), (e: unknown) => {
      assert.ok(!(e instanceof DevToolMissingError));
      assert.equal((e as NodeJS.ErrnoException).code, 'ERR_MODULE_NOT_FOUND');
      assert.match((e as Error).message, /missing-sibling/);
      return true;
    });
  });
});
