// What a message says about time, the same for every target type: how long the status just left
// took against its usual duration, and how long a resource slower than usual has been in its status.
// Pure; plain text (each formatter escapes it for its markup).
import type { ResourceEvent } from '../kinds/event.js';
import { formatDuration } from './text.js';

const dur = (seconds: number) => formatDuration(seconds * 1000);

/** "Took 2 h 13 min in CREATE_IN_PROGRESS (usual 1 h 50 min)", when the phase left was measured. */
export function tookLine(e: ResourceEvent): string | undefined {
  if (e.durationSeconds === undefined || e.previousStatus === null) return undefined;
  const usual = e.usual ? ` (usual ${dur(e.usual.p50Seconds)})` : '';
  return `Took ${dur(e.durationSeconds)} in ${e.previousStatus}${usual}`;
}

/** "In CREATE_IN_PROGRESS for 5 h 2 min; usually 1 h 50 min, 9 in 10 within 2 h 30 min (12 phases)". */
export function slowerLine(e: ResourceEvent): string | undefined {
  if (e.transition !== 'slower_than_usual' || e.inStatusSeconds === undefined) return undefined;
  const u = e.usual;
  const usual = u ? `; usually ${dur(u.p50Seconds)}, 9 in 10 within ${dur(u.p90Seconds)} (${u.samples} phases)` : '';
  return `In ${e.status} for ${dur(e.inStatusSeconds)}${usual}`;
}
