// The variables that put a process on a faked clock (libfaketime, https://github.com/wolfcw/libfaketime),
// taken from the test's own environment for the processes it starts. A test under
// `faketime -f +730d` that starts the daemon with a clean environment would otherwise run it on
// today's clock while the test itself (the receiver checking webhook-timestamp, the simulator stamping
// updateTime) lives two years ahead: every time-based check between them breaks, and a suite meant to
// prove it does not depend on the date could not run at all.

/** LD_PRELOAD (and macOS's equivalents) carry the library; FAKETIME* and friends its settings. */
const CLOCK_VAR =
  /^(LD_PRELOAD|DYLD_INSERT_LIBRARIES|DYLD_FORCE_FLAT_NAMESPACE|FAKETIME(_[A-Z_]+)?|FAKERANDOM_SEED|FAKE_UTIME|NO_FAKE_STAT|DONT_FAKE_MONOTONIC)$/;

/** The clock variables of `from` (default: this process), to spread into a child's environment. */
export function clockEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(from)) if (v !== undefined && CLOCK_VAR.test(k)) out[k] = v;
  return out;
}
