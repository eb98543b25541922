// Slack incoming webhooks (https://api.slack.com/messaging/webhooks): a Block Kit message
// (slack-message.ts), no keys of its own. Slack allows about one message per second per incoming
// webhook (https://api.slack.com/apis/rate-limits#incoming-webhooks) and posts them in order, so
// one at a time.
import { bodySnippet, classifyHttp } from './classify.js';
import { buildSlackMessage } from './slack-message.js';
import { defineTargetType } from './target-type.js';

/**
 * Error strings Slack incoming webhooks answer in a plain-text body
 * (https://api.slack.com/messaging/webhooks#handling_errors). None gets better by retrying.
 */
export const SLACK_PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_payload',
  'user_not_found',
  'channel_not_found',
  'channel_is_archived',
  'action_prohibited',
  'posting_to_general_channel_denied',
  'too_many_attachments',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'invalid_token',
  'missing_text_or_fallback_or_attachments',
  'no_text',
  'invalid_blocks',
  'invalid_attachments',
  'msg_too_long',
]);

export const slack = defineTargetType({
  type: 'slack',
  title: 'Slack incoming webhook',
  urlExample: 'https://hooks.slack.com/services/...',
  keys: {},
  secretKeys: [],
  defaults: { ratePerSecond: 1, concurrency: 1 },
  request(entry, target, _nowMs, opts) {
    return { url: target.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildSlackMessage(entry.event, opts)) };
  },
  classify(answer, nowMs) {
    // A fixed error word is the whole body: permanent whatever the status says (below 500), and
    // ours to quote (a word of Slack's vocabulary, not an echo).
    const word = bodySnippet(answer.body);
    if (answer.status < 500 && SLACK_PERMANENT_ERRORS.has(word))
      return { outcome: 'permanent', status: answer.status, reason: `HTTP ${answer.status}: ${word}` };
    return classifyHttp(answer, nowMs);
  },
});
