// Scenario times: "0s", "20s", "1m30s", "500ms", "2h", "-1d" (before simulator start), or a number of seconds.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const FULL = /^(-)?((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds of a duration, or undefined when it is not one. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = FULL.exec(v.trim());
  if (!m) return undefined;
  let total = 0;
  for (const p of m[2]!.matchAll(PART)) total += Number(p[1]) * UNIT_MS[p[2]!]!;
  return Math.round(m[1] ? -total : total);
}
