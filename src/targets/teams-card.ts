// The Teams message for one event about a resource of any kind: an Adaptive Card in the message
// envelope that a Teams Workflows webhook ("Post to a channel when a webhook request is received")
// posts as it is: {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": <card>}]}
// (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
// Workflows take Adaptive Cards only, not the retired Office 365 connector MessageCard. Pure:
// returns the payload, never sends.
//
// The card: a header coloured by the status's class (kind and verb, then the name), the facts
// (kind, status and the one before, duration, the kind's declared facts, the failure code) as a
// FactSet, why it failed, the resource's ARN, the list results as FactSets, and a footer. Version
// 1.4: RichTextBlock (1.2) and Container styles good/attention/accent (1.2), rendered by every
// Teams client. Text from AWS is escaped or kept out of Markdown (teams-text.ts).
//
// Size: Teams refuses a message over about 28 KB
// (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook,
// https://learn.microsoft.com/connectors/teams/ "Known issues and limitations"), measured on the
// whole message. The card is built with generous caps first, then with tighter ones until its
// JSON fits TEAMS_LIMITS.messageBytes, a margin below that.
import { VANISHED } from '../domain.js';
import type { ResourceEvent } from '../kinds/event.js';
import { messageFacts, messageTables } from '../kinds/facts.js';
import { KINDS, statusClass } from '../kinds/index.js';
import { slowerLine, tookLine } from './timing-text.js';
import { sentenceCase, statusLook, type Tone } from './status-look.js';
import type { FormatOptions } from './target-type.js';
import { markdownFit, plainFit } from './teams-text.js';
import { tagFacts } from './tag-facts.js';
import { formatDuration, formatTime } from './text.js';

export const TEAMS_LIMITS = {
  /** UTF-8 bytes of the whole JSON body: Teams' ~28 KB less room for what the flow wraps around the card. */
  messageBytes: 24 * 1024,
} as const;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_VERSION = '1.4';

type TextRun = {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  size?: 'Medium' | 'Large';
  color?: 'Good' | 'Attention' | 'Accent' | 'Default';
  fontType?: 'Monospace';
};
export type CardElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap: true;
      weight?: 'Bolder';
      size?: 'Small' | 'Medium';
      color?: TextRun['color'];
      isSubtle?: true;
      spacing?: 'Medium';
    }
  | { type: 'RichTextBlock'; inlines: TextRun[] }
  | { type: 'FactSet'; facts: Array<{ title: string; value: string }> }
  | { type: 'Container'; style: 'good' | 'attention' | 'accent' | 'emphasis'; bleed: true; items: CardElement[] };

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: typeof ADAPTIVE_CARD_VERSION;
  /** Shown by a client that cannot render the card (Markdown: escaped). */
  fallbackText: string;
  body: CardElement[];
  /** Full width in Teams: ARNs and messages need it. */
  msteams: { width: 'Full' };
}

export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard }];
}

const STYLE: Record<Tone, { container: 'good' | 'attention' | 'accent' | 'emphasis'; color: TextRun['color'] }> = {
  good: { container: 'good', color: 'Good' },
  bad: { container: 'attention', color: 'Attention' },
  progress: { container: 'accent', color: 'Accent' },
  neutral: { container: 'emphasis', color: 'Default' },
};

/** Caps in UTF-16 units of each part; later levels are tighter, the last one always fits. */
interface Caps {
  name: number;
  factValue: number;
  facts: number;
  message: number;
  id: number;
  tableRows: number;
}
const CAPS: readonly Caps[] = [
  { name: 400, factValue: 600, facts: 20, message: 4_000, id: 2_048, tableRows: 50 },
  { name: 200, factValue: 300, facts: 16, message: 1_500, id: 1_024, tableRows: 20 },
  { name: 120, factValue: 120, facts: 12, message: 400, id: 300, tableRows: 0 },
];

/** The Teams message about `event`: the envelope a Workflows webhook posts, within TEAMS_LIMITS. */
export function buildTeamsMessage(event: ResourceEvent, opts: FormatOptions = {}): TeamsMessage {
  let message: TeamsMessage | undefined;
  for (const caps of CAPS) {
    message = envelope(card(event, opts, caps));
    if (Buffer.byteLength(JSON.stringify(message), 'utf8') <= TEAMS_LIMITS.messageBytes) return message;
  }
  // The tightest caps bound every part (a few KB at most even in 3-byte characters): unreachable.
  return message!;
}

function envelope(content: AdaptiveCard): TeamsMessage {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }] };
}

function card(event: ResourceEvent, opts: FormatOptions, caps: Caps): AdaptiveCard {
  const kind = KINDS[event.kind];
  const r = event.resource;
  const look = statusLook(event.status);
  const style = STYLE[look.tone];
  const title = sentenceCase(kind.title);
  const was = event.previousStatus !== null && event.previousStatus !== event.status ? ` (was ${event.previousStatus})` : '';
  const failed = statusClass(event.status) === 'failure' ? r.statusDetails : undefined;

  const facts: Array<{ title: string; value: string }> = [
    fact('Kind', kind.title, caps),
    fact('Status', `${event.status}${was}`, caps),
    fact('Duration', event.status === VANISHED ? 'n/a' : `${formatDuration(r.updateTime - r.createTime)} (created to last update)`, caps),
    // The facts are measured at the observation, so a message rendered again later says the same.
    ...messageFacts(kind, r, event.observedAt).map((f) => fact(f.title, f.value, caps)),
  ];
  if (failed?.statusCode !== undefined) facts.push(fact('Failure code', failed.statusCode, caps));
  const slower = slowerLine(event);
  const timing = slower ?? tookLine(event);
  if (timing !== undefined) facts.splice(3, 0, fact(slower !== undefined ? 'Slower than usual' : 'Time in status', timing, caps));
  // The tags of `tags.keys` the resource carries, after the facts (and within the same cap).
  for (const t of tagFacts(r.tags, opts.tagKeys)) facts.push(fact(t.title, t.value, caps));

  const body: CardElement[] = [
    {
      type: 'Container',
      style: style.container,
      bleed: true,
      items: [
        { type: 'TextBlock', text: markdownFit(`${title} ${look.verb}`, 200), wrap: true, weight: 'Bolder', color: style.color },
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: plainFit(event.name, caps.name), weight: 'Bolder', size: 'Large' }] },
      ],
    },
    { type: 'FactSet', facts: facts.slice(0, caps.facts) },
  ];
  if (failed !== undefined) {
    body.push(heading('Why it failed'), {
      type: 'RichTextBlock',
      inlines: [{ type: 'TextRun', text: plainFit(failed.message ?? 'no message given', caps.message) }],
    });
  }
  body.push(heading(kind.arn ? `${title} ARN` : `${title} id`), {
    type: 'RichTextBlock',
    inlines: [{ type: 'TextRun', text: plainFit(event.arn, caps.id), fontType: 'Monospace' }],
  });
  if (caps.tableRows > 0) {
    for (const t of messageTables(kind, r)) {
      const rows = t.rows.slice(0, caps.tableRows).map(([row, value]) => fact(row, value, caps));
      if (t.rows.length > caps.tableRows) rows.push({ title: '…', value: markdownFit(`and ${t.rows.length - caps.tableRows} more`, 40) });
      body.push(heading(`${t.title} (${t.rowTitle}: ${t.valueTitle})`), { type: 'FactSet', facts: rows });
    }
  }
  const footer = [
    `cleanroomsml-monitor${opts.monitorName !== undefined ? ` · ${opts.monitorName}` : ''}`,
    `created ${formatTime(r.createTime)}`,
    `updated ${formatTime(r.updateTime)}`,
    `observed ${formatTime(event.observedAt)}`,
  ].join(' · ');
  body.push({ type: 'TextBlock', text: markdownFit(footer, 600), wrap: true, size: 'Small', isSubtle: true, spacing: 'Medium' });

  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    fallbackText: markdownFit(
      slower !== undefined
        ? `${title} ${event.name} is slower than usual: ${slower}`
        : `${title} ${event.name} ${look.verb}: ${event.status}${was}`,
      caps.name + 200,
    ),
    body,
    msteams: { width: 'Full' },
  };
}

function fact(title: string, value: string, caps: Caps): { title: string; value: string } {
  return { title: markdownFit(title, 100), value: markdownFit(value, caps.factValue) };
}

function heading(text: string): CardElement {
  return { type: 'TextBlock', text: markdownFit(text, 200), wrap: true, weight: 'Bolder', spacing: 'Medium' };
}
