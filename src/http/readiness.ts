// Pure readiness decision. Ready means: the state dir writable, and a
// sweep fully succeeded within the last 3 intervals. Liveness is separate (/healthz): a monitor
// that cannot reach AWS is alive and must not be restarted in a loop, but it is not ready.

export interface ReadinessInput {
  now: number;
  stateWritable: boolean;
  lastSuccessfulSweepAt: number | undefined;
  intervalMs: number;
}

export interface Readiness {
  ready: boolean;
  reasons: string[];
}

export const STALE_INTERVALS = 3;

export function readiness(i: ReadinessInput): Readiness {
  const reasons: string[] = [];
  if (!i.stateWritable) reasons.push('state dir not writable (disk full or I/O error): no new notifications can be recorded');
  if (i.lastSuccessfulSweepAt === undefined) reasons.push('no sweep has succeeded yet');
  else if (i.now - i.lastSuccessfulSweepAt > STALE_INTERVALS * i.intervalMs) {
    reasons.push(`last successful sweep ${Math.round((i.now - i.lastSuccessfulSweepAt) / 1000)}s ago (more than ${STALE_INTERVALS} intervals)`);
  }
  return { ready: reasons.length === 0, reasons };
}
