// Slack incoming-webhook message for one event about a resource of any kind: top-level Block Kit `blocks` with the content, a
// top-level `text` that Slack uses for notifications and as the fallback
// (https://api.slack.com/reference/messaging/payload), and one coloured attachment holding only the
// context line. Slack recommends blocks at the top level and attachments for secondary content
// (https://api.slack.com/reference/messaging/attachments); the colour bar exists only on attachments.
// Pure: returns the payload, never sends.
//
// Limits honoured (https://api.slack.com/reference/block-kit/blocks): 50 blocks, header plain_text
// 150 chars, section text 3000, each field 2000 and at most 10 fields, context elements 10.
import { VANISHED } from '../domain.js';
import type { ResourceEvent } from '../kinds/event.js';
import { messageFacts, messageTables, type FactTable } from '../kinds/facts.js';
import { KINDS, statusClass } from '../kinds/index.js';
import { mrkdwnFit } from './slack-text.js';
import { sentenceCase, statusLook, type StatusCase, type Tone } from './status-look.js';
import type { FormatOptions } from './target-type.js';
import { tagFacts } from './tag-facts.js';
import { formatDuration, formatTime, truncate } from './text.js';
import { slowerLine, tookLine } from './timing-text.js';

export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  text: 3000,
} as const;

type Text = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  attachments: [{ color: string; fallback: string; blocks: SlackBlock[] }];
}

const COLORS: Record<Tone, string> = { good: '#2EB67D', bad: '#E01E5A', neutral: '#868686', progress: '#1D9BD1' };
const EMOJI: Record<StatusCase, string> = {
  ready: ':white_check_mark:',
  failed: ':x:',
  vanished: ':ghost:',
  deleting: ':wastebasket:',
  cancelling: ':no_entry_sign:',
  atRest: ':white_circle:',
  working: ':hourglass_flowing_sand:',
};

/** The failure section: the stable statusCode and the message for people, quoted and capped. */
function whyItFailed(details: { statusCode?: string; message?: string }): SlackBlock {
  const code = details.statusCode !== undefined ? ` (${details.statusCode})` : '';
  const head = `*Why it failed*${mrkdwnFit(code, 200)}\n`;
  // A quote block renders multi-line messages readably; each line needs its own "> ".
  // At most 20 lines, so the added "> " prefixes cannot push the section past 3000 chars.
  const lines = (details.message ?? 'no message given').split('\n');
  const raw = lines.length > 20 ? `${lines.slice(0, 20).join('\n')}…` : lines.join('\n');
  const msg = mrkdwnFit(raw, 2000).replace(/\n/g, '\n> ');
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(`${head}> ${msg}`, SLACK_LIMITS.sectionText) } };
}

/**
 * The message about a resource of any kind: status, duration, then the facts its declaration
 * names (src/kinds/facts.ts: an audience generation job's collaboration, model, recall and who
 * started it; a trained model's version and elapsed vs max runtime; an inference job's model and
 * version; a channel's records and size), the tags of `tags.keys` it carries, its id, why it failed, and the list results the
 * declaration shows as tables (an audience's relevance by audience size).
 */
export function buildSlackMessage(event: ResourceEvent, opts: FormatOptions = {}): SlackMessage {
  const kind = KINDS[event.kind];
  const r = event.resource;
  const look = statusLook(event.status);
  const emoji = EMOJI[look.case];
  const color = COLORS[look.tone];
  const verb = look.verb;
  const was = event.previousStatus !== null && event.previousStatus !== event.status ? ` (was ${event.previousStatus})` : '';
  const title = sentenceCase(kind.title);
  // `text` and `fallback` are mrkdwn-parsed in notifications: a name such as `<!channel>` or
  // `<https://evil.example|AWS console>` (names are set by any collaboration member) must arrive
  // as text, so the whole line is escaped (https://api.slack.com/reference/surfaces/formatting#escaping).
  const slower = slowerLine(event);
  const fallback = mrkdwnFit(
    slower !== undefined
      ? `:turtle: ${title} ${r.name} is slower than usual: ${slower}`
      : `${emoji} ${title} ${r.name} ${verb}: ${event.status}${was}`,
    SLACK_LIMITS.text,
  );
  const header = slower !== undefined ? `:turtle: ${r.name}: slower than usual in ${event.status}` : `${emoji} ${r.name}: ${event.status}`;
  const blocks: SlackBlock[] = [
    // plain_text: Slack parses no mentions or links in it, so it is shown as written (no escaping).
    { type: 'header', text: { type: 'plain_text', text: truncate(header, SLACK_LIMITS.headerText), emoji: true } },
  ];
  const timing = slower ?? tookLine(event);
  if (timing !== undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwnFit(timing, SLACK_LIMITS.sectionText) } });
  const fields: Text[] = [
    field('Status', `${event.status}${was}`),
    field('Duration', event.status === VANISHED ? 'n/a' : `${formatDuration(r.updateTime - r.createTime)} (created to last update)`),
  ];
  // The facts are measured at the observation, so a message rendered again later says the same.
  for (const f of messageFacts(kind, r, event.observedAt))
    fields.push(field(f.title, f.value, f.code === true || f.value.startsWith('arn:')));
  blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) });
  // The listed tags in a section of their own, so they never push a fact out of the ten fields.
  const tags = tagFacts(r.tags, opts.tagKeys).slice(0, SLACK_LIMITS.fields);
  if (tags.length > 0) blocks.push({ type: 'section', fields: tags.map((t) => field(mrkdwnFit(t.title, 200), t.value)) });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeLine(kind.arn ? `${title} ARN` : `${title} id`, event.arn) } });
  if (statusClass(event.status) === 'failure' && r.statusDetails !== undefined) blocks.push(whyItFailed(r.statusDetails));
  for (const t of messageTables(kind, r)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: table(t) } });
  const context = [
    `cleanroomsml-monitor${opts.monitorName !== undefined ? ` · ${opts.monitorName}` : ''}`,
    `created ${formatTime(r.createTime)}`,
    `updated ${formatTime(r.updateTime)}`,
    `observed ${formatTime(event.observedAt)}`,
  ];
  const footer: SlackBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: mrkdwnFit(context.join(' · '), SLACK_LIMITS.sectionText) }],
  };
  return { text: fallback, blocks: blocks.slice(0, SLACK_LIMITS.blocks), attachments: [{ color, fallback, blocks: [footer] }] };
}

function field(label: string, value: string, code = false): Text {
  const budget = SLACK_LIMITS.fieldText - label.length - 8;
  const v = mrkdwnFit(value, budget);
  return { type: 'mrkdwn', text: `*${label}*\n${code ? `\`${v}\`` : v}` };
}

function codeLine(label: string, value: string): string {
  return `*${label}*\n\`${mrkdwnFit(value, SLACK_LIMITS.sectionText - label.length - 8)}\``;
}

/** A monospace table (Slack has no table block); rows that do not fit are summarized. */
function table(t: FactTable): string {
  const w = Math.min(24, Math.max(t.rowTitle.length, ...t.rows.map((r) => r[0].length)));
  const line = (a: string, b: string) => `${truncate(a, w).padEnd(w)}  ${b}`;
  const head = `*${mrkdwnFit(t.title, 200)}*\n\`\`\`\n`;
  const tail = '\n```';
  const lines = [mrkdwnFit(line(t.rowTitle, t.valueTitle), 200)];
  let used = head.length + tail.length + lines[0]!.length;
  for (let i = 0; i < t.rows.length; i++) {
    const l = mrkdwnFit(line(t.rows[i]![0], t.rows[i]![1]), 200);
    const more = `\n… and ${t.rows.length - i} more`;
    // Keep room for the "and N more" line so the section never exceeds 3000 chars.
    if (used + 1 + l.length + (i < t.rows.length - 1 ? more.length : 0) > SLACK_LIMITS.sectionText) {
      lines.push(more.slice(1));
      break;
    }
    lines.push(l);
    used += 1 + l.length;
  }
  return head + lines.join('\n') + tail;
}
