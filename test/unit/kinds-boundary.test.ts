// A kind is one declaration: no module outside src/kinds names a kind, so adding one is its
// declaration, its registry line and its tests (CONTRIBUTING.md "Add a resource kind"). The one
// exception is the state's compatibility module, which reads what version 1 of the state file
// wrote about the one kind it knew. src/dev (the simulator and the demo, development tools) is
// not held to it: its scenarios and fleets are data about particular kinds.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kindMentions } from '../helpers/kind-names.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

/** Allowed to name a kind: the reader of the state files version 1 wrote. */
const COMPATIBILITY_MODULE = 'src/state/legacy-job.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('kind names stay in src/kinds', () => {
  it('no module outside src/kinds and src/dev names a kind, but the compatibility module', () => {
    const files = tsFiles(SRC)
      .map((f) => relative(ROOT, f).split('\\').join('/'))
      .filter((f) => !f.startsWith('src/kinds/') && !f.startsWith('src/dev/'));
    assert.ok(files.length > 50, `scanned ${files.length} modules`);
    const found = files
      .filter((f) => f !== COMPATIBILITY_MODULE)
      .flatMap((f) =>
        kindMentions(f, readFileSync(join(ROOT, f), 'utf8')).map((m) => `${f}:${m.line}: ${m.kind} (${m.text.slice(0, 80)})`),
      );
    assert.deepEqual(found, [], `move what these lines know about a kind into its declaration in src/kinds:\n${found.join('\n')}`);
  });

  it('the compatibility module exists and is still needed (it names the kind it reads)', () => {
    assert.ok(kindMentions(COMPATIBILITY_MODULE, readFileSync(join(ROOT, COMPATIBILITY_MODULE), 'utf8')).length > 0);
  });

  it('sees every spelling of a kind in code, and none in comments', () => {
    const text = [
      "const a = 'trainedModel';",
      'const b = x.audienceGenerationJobArn;',
      "const c = 'GetMLInputChannel';",
      'const d = `cleanroomsml_audience_export_job_status`;',
      'const e = /:trained-model-inference-job\\//;',
      "const f = 'an audience model was created';",
      'type G = TrainedModelExportJob;',
      '// a trained model, `audienceModel`, in a comment',
      '/* trainedModel */ const h = 1;',
      "const i = 'configuredAudienceModelArn';",
      "const j = 'configured audience model';",
    ].join('\n');
    assert.deepEqual(
      kindMentions('probe.ts', text).map((m) => `${m.line} ${m.kind}`),
      [
        '1 trainedModel',
        '2 audienceGenerationJob',
        '3 mlInputChannel',
        '4 audienceExportJob',
        '5 trainedModelInferenceJob',
        '6 audienceModel',
        '7 trainedModelExportJob',
      ],
    );
  });
});
