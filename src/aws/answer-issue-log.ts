// Hears every AnswerIssue of every client (src/aws/api.ts): counts each one and logs each
// (resource, member) once. A List re-reads an unchanged resource on every sweep, so a value that
// stays outside its documented range would otherwise repeat the same warning every 30 s for as
// long as the resource exists. The counter keeps counting: its rate says the value is still there.
import type { AnswerIssue, AnswerObserver } from './api.js';

export interface AnswerIssueLogDeps {
  warn(fields: Record<string, unknown>, msg: string): void;
  count(issue: AnswerIssue): void;
  /** (resource, member) pairs remembered for the log-once rule; past it the oldest is forgotten (and may be logged again). Default 10,000. */
  maxKeys?: number;
}

const MESSAGES: Record<AnswerIssue['type'], string> = {
  out_of_range: "value outside the service model's documented range: accepted as given",
  refused: 'List item could not be read: the rest of the page was read, its resource keeps its last state',
};

export function createAnswerIssueLog(d: AnswerIssueLogDeps): AnswerObserver {
  const max = d.maxKeys ?? 10_000;
  const seen = new Set<string>();
  return (issue) => {
    d.count(issue);
    // Without an id (nextToken, an item that does not say whose it is), once per operation and member.
    const key = `${issue.type}\u0000${issue.id ?? `#${issue.operation}`}\u0000${issue.field}`;
    if (seen.has(key)) return;
    if (seen.size >= max) seen.delete(seen.values().next().value!);
    seen.add(key);
    d.warn(
      { operation: issue.operation, ...(issue.id !== undefined ? { id: issue.id } : {}), member: issue.member, problem: issue.problem },
      MESSAGES[issue.type],
    );
  };
}
