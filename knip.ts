// Unused files, exports and dependencies (https://knip.dev), checked by `npm run lint`.
// Why knip and what it leaves alone on purpose: docs/decisions/0008-layer-rules-and-unused-code-in-lint.md.
import type { KnipConfig } from 'knip';
import { DEV_TOOLS } from './src/dev-tool.js';

const config: KnipConfig = {
  // knip finds more entries by itself: src/cli.ts from package.json's bin (dist/cli.js, mapped back
  // through tsconfig.json), and the files package.json's scripts run (bench/run.ts,
  // test/faults/run.ts, test/e2e/values-table.ts, scripts/*.mjs) or name as a path.
  entry: [
    // loadDevTool (src/dev-tool.ts) imports the development verbs' modules through a computed
    // specifier, which no static analysis can follow: name them from the same table it uses.
    ...Object.values(DEV_TOOLS).map((file) => `src/dev/${file.replace(/\.js$/, '.ts')}`),
    // Every test file, whichever suite runs it.
    'test/**/*.test.ts',
    // Benchmarks run by hand (docs/performance.md).
    'bench/cpu-per-call.ts',
    'bench/tag-refresh.ts',
    'bench/memory-parts.ts',
  ],
  project: ['src/**/*.ts', 'test/**/*.{ts,mjs}', 'bench/**/*.ts', 'scripts/**/*.mjs'],
  // An export that its own module uses is no dead code: removing the `export` would delete nothing.
  // Exports used nowhere, files nothing reaches and dependencies nothing imports still fail.
  ignoreExportsUsedInFile: true,
  ignoreDependencies: [
    // test/e2e/chart.test.ts imports each rendered object's model by a computed specifier
    // (`kubernetes-models/${apiVersion}`), which no static analysis can follow.
    'kubernetes-models',
    '@kubernetes-models/prometheus-operator',
  ],
  // Debian packages that .ci/run installs (faketime, prometheus, tinyproxy) and util-linux's mount,
  // which the tests run where present and skip, with the reason, where absent.
  ignoreBinaries: ['faketime', 'promtool', 'tinyproxy', 'mount', 'umount'],
};

export default config;
