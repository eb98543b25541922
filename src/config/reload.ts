// What a config reload changes, compared as plain values: the parts that apply at once and the
// ones that only a restart applies (the state dir is locked and open; the listener is bound).
import type { Config } from './schema.js';

export interface ReloadChanges {
  /** Config sections that changed but apply only after a restart. */
  needsRestart: string[];
  scheduleChanged: boolean;
  logLevelChanged: boolean;
}

export function reloadChanges(before: Config, after: Config): ReloadChanges {
  const needsRestart: string[] = [];
  if (JSON.stringify(after.state) !== JSON.stringify(before.state)) needsRestart.push('state.dir');
  if (JSON.stringify(after.server) !== JSON.stringify(before.server)) needsRestart.push('server');
  // A pod's shard is resolved once at start (flags, pod ordinal, CRML_TOTAL_SHARDS or this key).
  if (after.sharding.totalShards !== before.sharding.totalShards) needsRestart.push('sharding.totalShards');
  return {
    needsRestart,
    scheduleChanged: after.polling.schedule !== before.polling.schedule,
    logLevelChanged: after.log.level !== before.log.level,
  };
}
