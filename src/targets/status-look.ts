// How a status reads in a message, from its class (src/kinds/statuses.ts: values AWS adds later
// included). Each format maps the tone to its own colours and the case to its own icons.
import { VANISHED } from '../domain.js';
import { statusClass } from '../kinds/index.js';

export type Tone = 'good' | 'bad' | 'neutral' | 'progress';
export type StatusCase = 'ready' | 'failed' | 'vanished' | 'deleting' | 'cancelling' | 'atRest' | 'working';

export interface StatusLook {
  case: StatusCase;
  tone: Tone;
  /** Completes "<Kind> <name> ...": "is ready", "failed". */
  verb: string;
}

export function statusLook(status: string): StatusLook {
  const c = statusClass(status);
  if (c === 'success') return { case: 'ready', tone: 'good', verb: 'is ready' };
  if (c === 'failure') return { case: 'failed', tone: 'bad', verb: 'failed' };
  if (status === VANISHED) return { case: 'vanished', tone: 'neutral', verb: 'vanished' };
  if (status.startsWith('DELETE_')) return { case: 'deleting', tone: 'neutral', verb: 'is being deleted' };
  if (status.startsWith('CANCEL_')) return { case: 'cancelling', tone: 'neutral', verb: 'is being cancelled' };
  if (c === 'other') return { case: 'atRest', tone: 'neutral', verb: 'is at rest' };
  return { case: 'working', tone: 'progress', verb: 'is in progress' };
}

/** "Trained model": a kind's title as a sentence starts. */
export const sentenceCase = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
