// The kind behind the simulator's first routes and inputs: `/_sim/jobs`, the `jobs:` of a
// scenario file and `simulate --jobs N` are views of the resources of this kind in the one store,
// kept for the tests, benchmarks and scripts written when the monitor watched it alone. Every
// other route and input serves every kind alike.
import { KINDS } from '../../kinds/index.js';
import type { GetDecl } from '../../kinds/kind.js';

export const JOB_KIND = KINDS.audienceGenerationJob;
/** What `/_sim/jobs` answers for each job: its Get output. */
export const JOB_GET: GetDecl = JOB_KIND.get.member!;
/** The operations /_sim/stats always lists, counted or not. */
export const JOB_OPERATIONS: readonly string[] = [...Object.values(JOB_KIND.get), ...JOB_KIND.lists].map((op) => op.name);
