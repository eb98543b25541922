// Child process for crash tests: commits numbered snapshots + outbox entries forever, printing
// each seq it has durably committed, until it is SIGKILLed. When another process took the state
// dir's lock it prints `LOST <message>` and exits 3.
import { openStateStore } from '../../src/state/store.js';
import { createLogger } from '../../src/log.js';
import { snap } from './snapshots.js';
import { resourceEventFromJobEvent, resourceFromJob } from '../../src/state/legacy-job.js';

const dir = process.argv[2]!;
const store = await openStateStore({ dir, clock: { now: () => Date.now() }, log: createLogger({ level: 'silent' }), compactBytes: 20_000 });
let n = store.resources().size;
for (;;) {
  n++;
  const s = snap({ arn: `${snap().arn.slice(0, -4)}${String(n % 1000).padStart(4, '0')}`, name: `job-${n}`, updateTime: n });
  const entry = {
    id: `evt_${n}`,
    target: 't',
    event: resourceEventFromJobEvent({
      type: 'audience_generation_job.status_changed' as const,
      transition: 'first_seen' as const,
      arn: s.arn,
      name: s.name,
      previousStatus: null,
      status: s.status,
      updateTime: n,
      observedAt: n,
      job: s,
    }),
    createdAt: n,
    attempts: 0,
    nextAttemptAt: n,
  };
  try {
    await store.commit({ upsert: [resourceFromJob(s)], remove: [], enqueue: [entry] });
    if (n % 3 === 0) await store.markDelivered(`evt_${n - 1}`);
  } catch (err) {
    if ((err as Error).name !== 'StateLockLostError') throw err;
    process.stdout.write(`LOST ${(err as Error).message}\n`);
    process.exit(3);
  }
  process.stdout.write(`${n}\n`);
}
