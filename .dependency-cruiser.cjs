// The layers of docs/architecture.md ("Layers and what may import what"), checked on every import
// in src/ by dependency-cruiser (https://github.com/sverweij/dependency-cruiser) as part of
// `npm run lint`. Why this tool: docs/decisions/0008-layer-rules-and-unused-code-in-lint.md.
//
//   cli.ts, commands/, dev-tool.ts      the CLI
//   app.ts                              the composition root
//   poll/ notify/ http/ metrics/        subsystems
//   aws/ net/ state/ config/ targets/   the outside world's shapes
//   kinds/ domain.ts timestamps.ts clock.ts log.ts intern.ts version.ts     the base (domain.ts and
//                                       timestamps.ts lowest of all, then kinds/)
//   dev/                                development tools: import anything, imported by nothing
//
// A module imports its own layer or a lower one. Type-only imports count too: a type that runs
// back up couples the layers just as a value does.

/** One regular expression per layer, lowest first. A module of src/ that is in none fails `unplaced`. */
const KINDS = '^src/kinds/';
const BASE = '^src/(kinds/|domain\\.ts$|timestamps\\.ts$|clock\\.ts$|log\\.ts$|intern\\.ts$|version\\.ts$)';
/** The plain types and formats the kind declarations stand on: they import nothing. */
const FLOOR = '^src/(domain|timestamps)\\.ts$';
const OUTSIDE = '^src/(aws|net|state|config|targets)/';
const SUBSYSTEMS = '^src/(poll|notify|http|metrics)/';
const ROOT = '^src/app\\.ts$';
const CLI = '^src/(cli\\.ts$|commands/|dev-tool\\.ts$)';
const DEV = '^src/dev/';
const PLACED = [BASE, OUTSIDE, SUBSYSTEMS, ROOT, CLI, DEV];

// Imports that run back up today and are being removed. Each allows exactly that import, nothing
// else from its file; when it no longer occurs, `known-exception-gone:<file>` fails until it is deleted
// here, so an exception cannot outlive its reason.
const KNOWN_EXCEPTIONS = [];

const exact = (file) => `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const matches = (cond, file) =>
  list(cond.path).some((p) => new RegExp(p).test(file)) && !list(cond.pathNot).some((p) => new RegExp(p).test(file));

/**
 * A forbidden rule, minus the known exceptions it would catch: the excepted file leaves the
 * rule, and a copy of the rule for that file alone forbids everything but the excepted import.
 */
function forbid(rule) {
  const hits = KNOWN_EXCEPTIONS.filter((e) => matches(rule.from, e.from) && matches(rule.to, e.to));
  if (hits.length === 0) return [{ severity: 'error', ...rule }];
  const main = {
    severity: 'error',
    ...rule,
    from: { ...rule.from, pathNot: [...list(rule.from.pathNot), ...hits.map((e) => exact(e.from))] },
  };
  const files = [...new Set(hits.map((e) => e.from))];
  const copies = files.map((file) => ({
    ...main,
    from: { path: exact(file) },
    to: { ...rule.to, pathNot: [...list(rule.to.pathNot), ...hits.filter((e) => e.from === file).map((e) => exact(e.to))] },
  }));
  return [main, ...copies];
}

module.exports = {
  forbidden: [
    // ---- downward only ----
    ...forbid({
      name: 'base-imports-base',
      comment:
        'kinds/, domain.ts, timestamps.ts, clock.ts, log.ts, intern.ts and version.ts are the base every layer stands on: they import only each other (docs/architecture.md, "Downward only").',
      from: { path: BASE },
      to: { path: '^src/', pathNot: BASE },
    }),
    ...forbid({
      name: 'kinds-import-kinds',
      comment:
        'kinds/ holds the declarations that everything else reads: a kind module imports only other kind modules and the floor below them (domain.ts, timestamps.ts), so the base has no cycle.',
      from: { path: KINDS },
      to: { path: '^src/', pathNot: [KINDS, FLOOR] },
    }),
    ...forbid({
      name: 'floor-imports-nothing',
      comment: 'domain.ts and timestamps.ts are plain types and the AWS time format: they import no module of src/.',
      from: { path: FLOOR },
      to: { path: '^src/' },
    }),
    ...forbid({
      name: 'outside-world-imports-down',
      comment:
        'aws/, net/, state/, config/ and targets/ import only each other and the base: not a subsystem (poll/, notify/, http/, metrics/), not app.ts, not the CLI. A helper that both config/ and a subsystem need lives in a module both can import.',
      from: { path: OUTSIDE },
      to: { path: [SUBSYSTEMS, ROOT, CLI] },
    }),
    ...forbid({
      name: 'subsystems-import-down',
      comment: 'poll/, notify/, http/ and metrics/ are wired together by app.ts: none of them imports app.ts or the CLI.',
      from: { path: SUBSYSTEMS },
      to: { path: [ROOT, CLI] },
    }),
    ...forbid({
      name: 'root-imports-down',
      comment: 'app.ts is the composition root the CLI calls; it never imports the CLI or a command.',
      from: { path: ROOT },
      to: { path: CLI },
    }),
    ...forbid({
      name: 'only-cli-imports-cli',
      comment:
        'Nothing imports cli.ts; only cli.ts imports a command or dev-tool.ts (the one door to src/dev, through a computed specifier).',
      from: { path: '^src/', pathNot: '^src/cli\\.ts$' },
      to: { path: '^src/(cli\\.ts$|commands/|dev-tool\\.ts$)', pathNot: '^src/commands/' },
    }),
    ...forbid({
      name: 'only-cli-imports-commands',
      comment: 'A command (src/commands/<verb>.ts) is reached from cli.ts only; commands may share code with each other.',
      from: { path: '^src/', pathNot: ['^src/cli\\.ts$', '^src/commands/'] },
      to: { path: '^src/commands/' },
    }),
    ...forbid({
      name: 'nothing-imports-dev',
      comment:
        'src/dev (the simulator, the demo) is left out of the npm package and the image: a production module importing it would break there. The CLI reaches it through loadDevTool (src/dev-tool.ts).',
      from: { path: '^src/', pathNot: DEV },
      to: { path: DEV },
    }),
    ...forbid({
      name: 'unplaced',
      comment:
        'Every module of src/ belongs to a layer of docs/architecture.md. Place the new file or folder there and in PLACED in .dependency-cruiser.cjs.',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: PLACED },
    }),

    // ---- subsystems stay ignorant of each other's insides ----
    ...forbid({
      name: 'targets-are-declarations',
      comment:
        'A target type (src/targets/) declares config keys, payloads and how to read answers: pure, so config/ can build its schema from them. It never reaches the network, the AWS client, the state store or the config it is read into.',
      from: { path: '^src/targets/' },
      to: { path: ['^src/(net|config)/', '^src/aws/', '^src/state/'], pathNot: ['^src/aws/resource-wire\\.ts$', '^src/state/types\\.ts$'] },
    }),
    ...forbid({
      name: 'aws-knows-no-state',
      comment: 'aws/ knows nothing of polling, state or notifications: it turns requests into answers.',
      from: { path: '^src/aws/' },
      to: { path: '^src/state/' },
    }),
    ...forbid({
      name: 'state-knows-no-aws-calls',
      comment:
        'state/ stores plain snapshots and outbox entries: it may share the bounds on outside text and numbers (aws/cap-text.ts, aws/number-range.ts), never the AWS client or the network.',
      from: { path: '^src/state/' },
      to: { path: ['^src/aws/', '^src/net/'], pathNot: '^src/aws/(cap-text|number-range)\\.ts$' },
    }),
    ...forbid({
      name: 'notify-sees-outbox-store',
      comment: 'notify/ sees the store only through the OutboxStore interface of src/state/types.ts.',
      from: { path: '^src/notify/' },
      to: { path: '^src/state/', pathNot: '^src/state/types\\.ts$' },
    }),
    ...forbid({
      name: 'metrics-sees-metrics-source',
      comment: 'metrics/ reads the store through a MetricsSource it is given and the state health it reports, never the store itself.',
      from: { path: '^src/metrics/' },
      to: { path: '^src/state/', pathNot: '^src/state/(types|health)\\.ts$' },
    }),
    ...forbid({
      name: 'poll-alone-calls-aws',
      comment:
        'poll/ is the only subsystem that calls AWS: the client, its signing, credentials and connections are built by app.ts and reach poll/ as options.',
      from: { path: '^src/(notify|http|metrics)/' },
      to: { path: '^src/aws/(resource-client|signed-call|http|credentials|connections)\\.ts$' },
    }),
    ...forbid({
      name: 'store-built-by-the-root',
      comment: 'The durable store and the in-memory one are built by app.ts or a command and handed on as interfaces.',
      from: { path: '^src/', pathNot: ['^src/state/', ROOT, '^src/commands/', DEV] },
      to: { path: '^src/state/(store|memory)\\.ts$' },
    }),

    // ---- cycles and packages ----
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides a layer that runs back up.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      scope: 'folder',
      comment:
        'Folders of one layer may import each other one way only (poll/ uses notify/route.ts, so notify/ never imports poll/): a cycle between folders is a layer that has not been drawn.',
      // The folders of a known exception form a cycle until it is removed; their other imports are
      // held by the layer rules above.
      from: { pathNot: KNOWN_EXCEPTIONS.flatMap((e) => [e.from, e.to]).map((f) => `^${f.slice(0, f.lastIndexOf('/'))}$`) },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file or package.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'production-not-to-dev-dependency',
      severity: 'error',
      comment:
        'The published package installs only "dependencies": production code (all of src/ but src/dev) must not import a devDependency. Type-only imports vanish at build time and are allowed.',
      from: { path: '^src/', pathNot: DEV },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-package-outside-package-json',
      severity: 'error',
      comment: 'A package that package.json does not name is there by accident (a transitive dependency) and can vanish.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],

  // A known exception that no longer occurs fails here: delete it from KNOWN_EXCEPTIONS.
  required: KNOWN_EXCEPTIONS.map((e) => ({
    name: `known-exception-gone:${e.from}`,
    severity: 'error',
    comment: `${e.from} no longer imports ${e.to}: remove that entry from KNOWN_EXCEPTIONS in .dependency-cruiser.cjs.`,
    module: { path: exact(e.from) },
    to: { path: exact(e.to) },
  })),

  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (see the top of this file).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve `./x.js` to `./x.ts` as tsc does (NodeNext).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
