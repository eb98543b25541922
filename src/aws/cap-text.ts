// Text that comes from outside (AWS answers, error bodies, old state files) is kept and printed
// only up to a bound: a 4 MiB `message` must not become a 4 MB log line on every retry, nor a
// 4 MB /api/jobs answer. 500 characters hold every real AWS message and status detail.
export const MAX_TEXT = 500;

/**
 * `s` if it is at most `max` characters, else its start and how much was cut, `max` characters
 * in all (so capping twice changes nothing: a state file read back is not cut again).
 */
export function capText(s: string, max = MAX_TEXT): string {
  if (s.length <= max) return s;
  // The note states at most s.length, so its length with s.length bounds it.
  let end = Math.max(0, max - `… [${s.length} more characters]`.length);
  // Never leave half of a surrogate pair at the cut (a lone surrogate is not valid UTF-8).
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}… [${s.length - end} more characters]`;
}
