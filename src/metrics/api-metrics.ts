// The Clean Rooms ML API as the monitor sees it: requests by operation and outcome, their latency,
// resends on a fresh connection, answers outside the model, and the adaptive rate limit.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AnswerIssue, ApiOutcome, Operation } from '../aws/api.js';
import { ALL_KINDS } from '../kinds/index.js';
import { secs } from './source.js';

export interface ApiMetrics {
  apiRequest(operation: Operation, outcome: ApiOutcome, durationMs: number): void;
  /** A request sent again at once on another connection after a kept-alive one was reset. */
  apiResent(operation: Operation): void;
  /** A value of an answer outside the model's documented range (accepted), or a List item refused. */
  answerIssue(issue: AnswerIssue): void;
  setApiRateLimit(perSecond: number): void;
}

export function apiMetrics(registers: Registry[]): ApiMetrics {
  const apiRequests = new Counter({
    name: 'cleanroomsml_monitor_api_requests_total',
    help: 'Clean Rooms ML API requests (every attempt, retries included) by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const apiDuration = new Histogram({
    name: 'cleanroomsml_monitor_api_request_duration_seconds',
    help: 'Clean Rooms ML API request latency.',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  // Every operation of every kind exists at 0, so the first failure of one shows in rate().
  const operations = new Set(ALL_KINDS.flatMap((k) => [...Object.values(k.get).map((g) => g.name), ...k.lists.map((l) => l.name)]));
  for (const op of operations) {
    for (const o of ['success', 'throttled', 'not_found', 'access_denied', 'validation', 'error'])
      apiRequests.inc({ operation: op, outcome: o }, 0);
  }
  const resent = new Counter({
    name: 'cleanroomsml_monitor_api_requests_resent_total',
    help: 'Clean Rooms ML API requests sent again at once on another connection because the kept-alive one they went out on was reset before any answer (a server or load balancer closing idle connections; a steady rate means resets of requests it did read). Not counted as failed requests.',
    labelNames: ['operation'] as const,
    registers,
  });
  const outOfRange = new Counter({
    name: 'cleanroomsml_monitor_api_values_out_of_range_total',
    help: "Values in Clean Rooms ML API answers outside the service model's documented range or length, accepted as given; counted per answer read. member: the path in the answer, list positions as [].",
    labelNames: ['operation', 'member'] as const,
    registers,
  });
  const refusedItems = new Counter({
    name: 'cleanroomsml_monitor_api_items_refused_total',
    help: 'List items that could not be read (a member of the wrong type, a number that is not finite, a required member missing), counted per answer read; the rest of the page was read and the resource keeps its last state. member: the path in the item, list positions as [].',
    labelNames: ['operation', 'member'] as const,
    registers,
  });
  const rate = new Gauge({
    name: 'cleanroomsml_monitor_api_rate_limit_per_second',
    help: 'Current adaptive request rate limit towards the Clean Rooms ML API.',
    registers,
  });
  return {
    apiRequest(operation, outcome, durationMs) {
      apiRequests.inc({ operation, outcome });
      apiDuration.observe({ operation }, secs(durationMs));
    },
    apiResent(operation) {
      resent.inc({ operation });
    },
    answerIssue(issue) {
      (issue.type === 'refused' ? refusedItems : outOfRange).inc({ operation: issue.operation, member: issue.field });
    },
    setApiRateLimit: (r) => rate.set(r),
  };
}
