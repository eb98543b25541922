// Pure readiness decision. Ready means "this pod can do its job": the server answers (it is the
// one asking), the config and the state are loaded (a process without them never gets this far),
// and the state dir is writable (without it no transition can be recorded, so none can be notified). AWS reachability and the
// health of each List scope are NOT part of it: one bad discovery role or IAM that is not set up
// yet would otherwise hold `helm install --wait`, Argo CD health and an OrderedReady StatefulSet
// forever, and restarting or unrouting a pod fixes none of that. Those show in metrics
// (cleanroomsml_monitor_discovery_scope_up, ..._last_successful_poll_timestamp_seconds) and alerts.
// Liveness is separate (/healthz).

export interface ReadinessInput {
  stateWritable: boolean;
}

export interface Readiness {
  ready: boolean;
  reasons: string[];
}

export function readiness(i: ReadinessInput): Readiness {
  const reasons: string[] = [];
  if (!i.stateWritable) reasons.push('state dir not writable (disk full or I/O error): no new notifications can be recorded');
  return { ready: reasons.length === 0, reasons };
}
