// Microsoft Teams through a Teams Workflows webhook: a flow whose trigger is "When a Teams webhook
// request is received" (the "Post to a channel when a webhook request is received" template) posts
// the Adaptive Card of each message (teams-card.ts) to its channel or chat
// (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
// The URL is the trigger's HTTP URL; its `sig` query value is the credential, so the URL is a secret
// as every target's is. No keys of its own.
//
// Rate: the flow posts through its owner's Teams connection, which allows 100 calls per 60 seconds
// (https://learn.microsoft.com/connectors/teams/, "Throttling Limits"), shared with that owner's
// other flows: one message a second stays under it with room to spare. One at a time, so the
// channel shows messages in the order they were sent.
//
// Answers: the trigger accepts a request with 202 Accepted and runs the flow afterwards, so a post
// that fails inside the flow (a private channel, a removed owner) shows only in the flow's run
// history. Refusals carry a JSON body {"error": {"code", "message"}} whose code says what to fix
// (the codes below: Power Automate's; DirectApiAuthorizationRequired is a 401 for a flow only
// signed-in users may trigger);
// 429 comes with Retry-After. The retired Office 365 connector webhooks answered 200 even when
// Teams refused the message, with the refusal in the body ("Microsoft Teams endpoint returned
// HTTP error 429"); such a body is read as that status, so a connector URL left in a config is
// not counted as delivered when it was not.
import { bodySnippet, classifyHttp, type FailureText, type ReceiverAnswer, type SendResult } from './classify.js';
import { defineTargetType } from './target-type.js';
import { buildTeamsMessage } from './teams-card.js';

/**
 * Error codes a flow's trigger answers with (Power Automate's vocabulary), with what to do about
 * them. Only these are quoted as ours; any other code is the receiver's text (the detail).
 */
const CODES: Readonly<Record<string, string | undefined>> = {
  DirectApiAuthorizationRequired: 'the flow takes only signed-in callers: set its trigger\'s "Who can trigger the flow" to "Anyone"',
  MisMatchingOAuthClaims: 'the flow takes only signed-in callers: set its trigger\'s "Who can trigger the flow" to "Anyone"',
  WorkflowTriggerIsNotEnabled: 'the flow is turned off: turn it on, then re-send with `outbox retry`',
  WorkflowNotFound: 'no such flow: it was deleted or the URL is wrong',
  TriggerInputSchemaMismatch: "the flow's trigger expects another body: use the Teams webhook trigger",
  InvalidRequestContent: undefined,
  WorkflowRequestsThrottled: undefined,
};

/** The error code and message of a Power Automate refusal, when the body is one. */
function flowError(body: string): { code: string; message?: string } | undefined {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (e === undefined || e === null || typeof e.code !== 'string') return undefined;
    return typeof e.message === 'string' ? { code: e.code, message: e.message } : { code: e.code };
  } catch {
    return undefined;
  }
}

const CONNECTOR_REFUSAL = /Microsoft Teams endpoint returned HTTP error (\d{3})/;

/** A Workflows (or legacy connector) answer. */
export function classifyTeams(answer: ReceiverAnswer, nowMs: number): SendResult {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    const refused = CONNECTOR_REFUSAL.exec(body);
    if (refused === null) return { outcome: 'delivered', status };
    const inner = Number(refused[1]);
    const reason = `HTTP ${status} with Teams' refusal HTTP ${inner}${inner === 413 ? ' (the message is too large for Teams)' : ''}`;
    const r = classifyHttp({ ...answer, status: inner }, nowMs, { reason, detail: bodySnippet(body) });
    return r.outcome === 'delivered' ? { outcome: 'delivered', status } : { ...r, status };
  }
  const e = flowError(body);
  if (e === undefined) {
    if (status === 413) return { outcome: 'permanent', status, ...withDetail('HTTP 413: the message is larger than Teams accepts', body) };
    return classifyHttp(answer, nowMs);
  }
  const message = e.message !== undefined ? bodySnippet(e.message) : '';
  if (!Object.hasOwn(CODES, e.code)) return classifyHttp(answer, nowMs, withDetail(`HTTP ${status}`, `${e.code}: ${message}`));
  const hint = CODES[e.code];
  return classifyHttp(answer, nowMs, withDetail(`HTTP ${status}: ${e.code}${hint !== undefined ? ` (${hint})` : ''}`, message));
}

function withDetail(reason: string, detail: string): FailureText {
  const d = bodySnippet(detail);
  return d === '' ? { reason } : { reason, detail: d };
}

export const teams = defineTargetType({
  type: 'teams',
  title: 'Microsoft Teams Workflows webhook',
  urlExample: 'https://<environment>.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/...',
  keys: {},
  secretKeys: [],
  defaults: { ratePerSecond: 1, concurrency: 1 },
  request(entry, target, _nowMs, opts) {
    return { url: target.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildTeamsMessage(entry.event, opts)) };
  },
  classify: classifyTeams,
});
