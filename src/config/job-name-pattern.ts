// A target's jobNamePattern: the config schema checks it compiles, routing matches job names with it.
// It lives in config/ because config/ imports no subsystem: notify/route.ts imports it from here.

/** Compiles a jobNamePattern anchored to the whole name (like Alertmanager's `=~`); undefined when invalid. */
export function compileJobNamePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}
