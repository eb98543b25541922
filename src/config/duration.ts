// Durations as people write them in config and scenario files: "90s", "10m", "1h30m", "500ms",
// "1.5h", "-1d" (a signed one, where the caller allows it).
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const FULL = /^(-)?((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds of a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = FULL.exec(text.trim());
  if (!m) return undefined;
  let total = 0;
  for (const p of m[2]!.matchAll(PART)) total += Number(p[1]) * UNIT_MS[p[2]!]!;
  return Math.round(m[1] ? -total : total);
}
