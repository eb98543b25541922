// Text in an Adaptive Card as Teams reads it. Names, messages and other values come from any member
// of a collaboration, so none of them may turn into formatting, a link or a date function:
// - TextBlock `text`, Fact `title` and Fact `value` are Markdown, a CommonMark subset (bold, italic,
//   lists, links; https://learn.microsoft.com/adaptive-cards/create/textfeatures and
//   https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format),
//   with {{DATE(...)}} / {{TIME(...)}} functions on top. Values there go through escapeMarkdown.
// - A RichTextBlock's TextRun is never Markdown (same pages): free text (a name, a failure
//   message) goes there as written, only its {{ broken up (plainText).
import { ELLIPSIS } from './text.js';

/** Characters that open Markdown anywhere in a line: emphasis, strike, code, links, autolinks and HTML, entities, date functions, escapes. */
const ANYWHERE = /[\\`*~[\]<>{}&]/g;
/**
 * `_` opens or closes emphasis only at a word's edge (CommonMark "left-/right-flanking"), so
 * `CREATE_FAILED` and `churn_v2` stay as they are and `_x_` does not.
 */
const EDGE_UNDERSCORE = /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
/** Block markers at a line's start: heading, quote, list item, setext underline, ordered item ("1." / "1)"). */
const LINE_START = /^([ \t]*)(?:([#>+=-])|(\d{1,9})([.)]))/gm;

/**
 * Backslash-escapes what Markdown could read as markup (every ASCII punctuation may be escaped in
 * CommonMark, and the escape shows only the character), and splits a scheme's `://` so that no
 * bare address becomes a link.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(ANYWHERE, '\\$&')
    .replace(EDGE_UNDERSCORE, '\\_')
    .replace(/:\/\//g, '\\://')
    .replace(LINE_START, (_m, lead: string, marker: string | undefined, digits: string | undefined, dot: string | undefined) =>
      marker !== undefined ? `${lead}\\${marker}` : `${lead}${digits}\\${dot}`,
    );
}

/** One line: control characters and line breaks become spaces (a fact or a title is one line). */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/** Text for a TextRun: shown as written (no Markdown), but `{{` cannot start a date function. */
export function plainText(s: string): string {
  // Control characters but the line break are dropped: a TextRun shows text, not terminal codes.
  return s.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').replace(/\{(?=\{)/g, '{\u200b');
}

/**
 * `render(raw)` fitted in `max` UTF-16 units: when too long, the longest prefix of `raw` (whole code
 * points) whose rendering plus an ellipsis fits. The rendering of a longer prefix is never shorter
 * (an escape added or kept for each character), so a binary search finds it; an escape is never
 * cut in half, since the prefix is cut before rendering.
 */
export function fitRendered(raw: string, max: number, render: (s: string) => string): string {
  const whole = render(raw);
  if (whole.length <= max) return whole;
  const points = Array.from(raw);
  const budget = max - ELLIPSIS.length;
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(points.slice(0, mid).join('')).length <= budget) lo = mid;
    else hi = mid - 1;
  }
  return render(points.slice(0, lo).join('')) + ELLIPSIS;
}

/** A Markdown value: one line, escaped, at most `max` units. */
export const markdownFit = (raw: string, max: number): string => fitRendered(oneLine(raw), max, escapeMarkdown);

/** A TextRun value: as written, at most `max` units. */
export const plainFit = (raw: string, max: number): string => fitRendered(raw, max, plainText);
