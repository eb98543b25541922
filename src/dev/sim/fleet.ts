// Synthetic fleet (`simulate --jobs N`, benchmarks): N jobs (JOB_KIND) over 4 collaborations x 2
// configured audience models each. About 10% are in flight and finish at seeded times during the
// first ~10 minutes after start; the rest are terminal (mostly ACTIVE with metrics, some
// CREATE_FAILED). Everything is drawn from the seed, and states follow the clock lazily: same
// seed + clock = same answers.
import { arnOf, arnOfType, DEFAULT_ACCOUNT_ID } from './defaults.js';
import { JOB_KIND } from './job-kind.js';
import { generateMetrics } from './metrics-gen.js';
import { createRng, rngInt, rngUuid } from './prng.js';
import type { ResourceStep, SimResource } from './resource-store.js';

const FAILED = { statusCode: 'INTERNAL_ERROR', message: 'The seed audience has too few matching users in the training data.' };

export function buildFleet(opts: { count: number; seed: number; startedAt: number }): SimResource[] {
  const rng = createRng(opts.seed ^ 0x5eed_f1ee);
  const collaborations = Array.from({ length: 4 }, () => rngUuid(rng));
  const models = collaborations.map((_, c) =>
    Array.from({ length: 2 }, (_, m) => arnOfType('configured-audience-model', `fleet-c${c}-m${m}-${rngUuid(rng).slice(0, 8)}`)),
  );
  const jobs: SimResource[] = [];
  const t0 = opts.startedAt;
  const active = (t: number): ResourceStep => ({ t, status: 'ACTIVE', fields: { metrics: generateMetrics(rng) } });
  const failed = (t: number): ResourceStep => ({ t, status: 'CREATE_FAILED', statusDetails: { ...FAILED } });
  for (let i = 0; i < opts.count; i++) {
    const c = i % collaborations.length;
    const model = models[c]![rngInt(rng, 0, 1)]!;
    const inFlight = rng() < 0.1;
    const steps: ResourceStep[] = [];
    if (inFlight) {
      const pending = t0 - rngInt(rng, 10, 300) * 1000;
      const running = pending + rngInt(rng, 5, 90) * 1000;
      const done = Math.max(running, t0) + rngInt(rng, 30, 600) * 1000;
      steps.push({ t: pending, status: 'CREATE_PENDING' }, { t: running, status: 'CREATE_IN_PROGRESS' });
      steps.push(rng() < 0.85 ? active(done) : failed(done));
    } else {
      const created = t0 - rngInt(rng, 3_600, 30 * 86_400) * 1000;
      const done = created + rngInt(rng, 300, 7_200) * 1000;
      steps.push({ t: created, status: 'CREATE_PENDING' });
      steps.push(rng() < 0.93 ? active(done) : failed(done));
    }
    const arn = arnOf(JOB_KIND, rngUuid(rng));
    jobs.push({
      kind: JOB_KIND.kind,
      id: arn,
      fields: {
        [JOB_KIND.arn!.member]: arn,
        name: `fleet-${String(i + 1).padStart(5, '0')}`,
        configuredAudienceModelArn: model,
        collaborationId: collaborations[c]!,
        startedBy: DEFAULT_ACCOUNT_ID,
      },
      createTime: steps[0]!.t,
      steps,
    });
  }
  return jobs;
}
