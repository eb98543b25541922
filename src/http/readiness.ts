// Pure readiness decision. Ready means "this pod can do its job": the server answers (it is the
// one asking), the config and the state are loaded (a process without them never gets this far),
// and new records can be written to the state dir (without that no transition can be recorded, so
// none can be notified). A `degraded` state dir (checkpoints fail, journal appends work) is still
// ready: every transition is recorded and notified, and taking the pod out of service would fix
// nothing; /readyz says so in its body, and the state_health metric and its alert tell the
// operator before the journal reaches its limit (state/health.ts). AWS reachability and the
// health of each List scope are NOT part of it: one bad discovery role or IAM that is not set up
// yet would otherwise hold `helm install --wait`, Argo CD health and an OrderedReady StatefulSet
// forever, and restarting or unrouting a pod fixes none of that. Those show in metrics
// (cleanroomsml_monitor_discovery_scope_up, ..._last_successful_poll_timestamp_seconds) and alerts.
// Liveness is separate (/healthz).
import type { StateHealth } from '../state/health.js';

export interface ReadinessInput {
  state: Pick<StateHealth, 'status' | 'reason'>;
}

export interface Readiness {
  ready: boolean;
  /** Why not ready. */
  reasons: string[];
  /** Ready, but something needs attention. */
  warnings?: string[];
}

export function readiness(i: ReadinessInput): Readiness {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const why = i.state.reason ?? `state ${i.state.status}`;
  if (i.state.status === 'unwritable') reasons.push(why);
  else if (i.state.status === 'degraded') warnings.push(`degraded: ${why}`);
  return { ready: reasons.length === 0, reasons, warnings };
}

/** The /readyz body. */
export function readinessText(r: Readiness): string {
  if (!r.ready) return `not ready: ${r.reasons.join('; ')}\n`;
  return r.warnings?.length ? `ready (${r.warnings.join('; ')})\n` : 'ready\n';
}
