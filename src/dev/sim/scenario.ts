// Scenario files (`simulate --scenario FILE`, YAML or JSON): jobs (jobs-view.ts) and resources of
// any kind (resource-scenario.ts) with timelines whose times are relative to simulator start.
// See test/fixtures/scenarios/ for examples:
//   jobs:
//     - name: lookalike-1
//       collaborationId: 5f6e7d8c-...          # optional (default DEFAULT_COLLABORATION_ID)
//       configuredAudienceModelArn: arn:...    # optional (default DEFAULT_MODEL_ARN)
//       timeline:
//         - { at: 0s, status: CREATE_PENDING }
//         - { at: 20s, status: CREATE_IN_PROGRESS }
//         - { at: 45s, status: ACTIVE, metrics: { relevanceMetrics: [...], recallMetric: 0.42 } }
// A step's metrics carry forward to later steps; statusDetails belong to their step only.
// createTime = the first step's time; updateTime = the current step's time.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './duration.js';
import { scenarioResources } from './resource-scenario.js';
import { parseWith, scenarioSchema, SimInputError, type Scenario } from './schemas.js';

export type { Scenario } from './schemas.js';

/** Validate a scenario object (already parsed from YAML/JSON). Errors name the field. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const s = parseWith(scenarioSchema, value, source);
  const problems: string[] = [];
  const arns = new Map<string, number>();
  s.jobs.forEach((job, j) => {
    let prev = -Infinity;
    job.timeline.forEach((step, k) => {
      const t = parseDuration(step.at)!;
      if (t <= prev) problems.push(`jobs[${j}].timeline[${k}].at: must be later than timeline[${k - 1}].at`);
      prev = t;
    });
    if (job.arn !== undefined) {
      const first = arns.get(job.arn);
      if (first !== undefined) problems.push(`jobs[${j}].arn: duplicates jobs[${first}].arn`);
      else arns.set(job.arn, j);
    }
  });
  if (problems.length > 0) throw new SimInputError(`invalid ${source}:\n${problems.join('\n')}`);
  if (s.resources) {
    // A dry run with distinct ids, so a bad resource fails at load with its path.
    let n = 0;
    try {
      scenarioResources(s.resources, 0, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
    } catch (err) {
      if (err instanceof SimInputError) throw new SimInputError(err.message.replace(/^invalid resources:/, `invalid ${source}:`));
      throw err;
    }
  }
  return s;
}

export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SimInputError(`cannot read scenario ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text); // YAML 1.2 is a superset of JSON
  } catch (err) {
    throw new SimInputError(`scenario ${path} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  return parseScenario(value, `scenario ${path}`);
}
