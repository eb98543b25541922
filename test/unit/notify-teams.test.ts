// The Teams target type's pure parts: the Adaptive Card message (content, colour by class, escaping of
// text written by any collaboration member, the size limit) and the reading of a Workflows webhook's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { resourceEvent } from '../../src/notify/route.js';
import type { ReceiverAnswer, SendResult } from '../../src/targets/classify.js';
import { teams } from '../../src/targets/teams.js';
import { buildTeamsMessage, TEAMS_LIMITS, type CardElement, type TeamsMessage } from '../../src/targets/teams-card.js';
import { escapeMarkdown, fitRendered, markdownFit, plainText } from '../../src/targets/teams-text.js';
import { resource, T0, TRAINED_MODEL_ARN } from '../helpers/resources.js';

const NOW = T0 + 3_600_000;

function trainedModel(status: string, from: string | null, over: Partial<ResourceSnapshot> = {}) {
  const snapshot = resource(KINDS.trainedModel, {
    arn: TRAINED_MODEL_ARN,
    id: TRAINED_MODEL_ARN,
    name: 'churn-model_v2',
    status,
    updateTime: T0 + 83 * 60_000,
    ...over,
  });
  return resourceEvent({
    kind: from === null ? 'first_seen' : 'status_changed',
    id: snapshot.id,
    from,
    to: status,
    observedAt: NOW,
    snapshot,
  });
}

const FAILED = { statusDetails: { statusCode: 'ALGORITHM_ERROR', message: 'Training container exited with code 1' } };

/** Every element of the card, containers opened. */
function elements(m: TeamsMessage): CardElement[] {
  const out: CardElement[] = [];
  const walk = (es: CardElement[]) => {
    for (const e of es) {
      out.push(e);
      if (e.type === 'Container') walk(e.items);
    }
  };
  walk(m.attachments[0].content.body);
  return out;
}

/** Strings Teams reads as Markdown: TextBlock text, fact titles and values, the fallback text. */
function markdownTexts(m: TeamsMessage): string[] {
  return [
    m.attachments[0].content.fallbackText,
    ...elements(m).flatMap((e) =>
      e.type === 'TextBlock' ? [e.text] : e.type === 'FactSet' ? e.facts.flatMap((f) => [f.title, f.value]) : [],
    ),
  ];
}

/** Strings Teams shows as written: TextRuns. */
function plainTexts(m: TeamsMessage): string[] {
  return elements(m).flatMap((e) => (e.type === 'RichTextBlock' ? e.inlines.map((i) => i.text) : []));
}

const facts = (m: TeamsMessage) =>
  Object.fromEntries(elements(m).flatMap((e) => (e.type === 'FactSet' ? e.facts.map((f) => [f.title, f.value] as const) : [])));

/**
 * The markup a Markdown string still carries: any of the characters that open Markdown not escaped
 * by a backslash, an `_` at a word's edge not escaped, a `://` not escaped. Empty for a safe string.
 */
function unescapedMarkup(s: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++; // the escaped character
      continue;
    }
    const word = (x: string | undefined) => x !== undefined && /[\p{L}\p{N}]/u.test(x);
    if ('`*~[]<>{}&'.includes(c)) found.push(`${c}@${i}`);
    else if (c === '_' && !(word(s[i - 1]) && word(s[i + 1]))) found.push(`_@${i}`);
    else if (s.startsWith('://', i)) found.push(`://@${i}`);
  }
  return found;
}

test('a FAILED trained model: the Workflows envelope, an Adaptive Card 1.4 with kind, name, statuses, failure, ARN, facts', () => {
  const m = buildTeamsMessage(trainedModel('CREATE_FAILED', 'CREATE_IN_PROGRESS', FAILED), { monitorName: 'prod-eks' });
  assert.equal(m.type, 'message');
  assert.equal(m.attachments.length, 1);
  const [a] = m.attachments;
  assert.equal(a.contentType, 'application/vnd.microsoft.card.adaptive');
  assert.equal(a.contentUrl, null);
  assert.equal(a.content.type, 'AdaptiveCard');
  assert.equal(a.content.version, '1.4');
  assert.equal(a.content.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
  assert.deepEqual(a.content.msteams, { width: 'Full' });

  const [header] = a.content.body;
  assert.ok(header?.type === 'Container');
  assert.equal(header.style, 'attention', 'a failure is red');
  assert.deepEqual(header.items[0], { type: 'TextBlock', text: 'Trained model failed', wrap: true, weight: 'Bolder', color: 'Attention' });
  assert.deepEqual(header.items[1], {
    type: 'RichTextBlock',
    inlines: [{ type: 'TextRun', text: 'churn-model_v2', weight: 'Bolder', size: 'Large' }],
  });

  const f = facts(m);
  assert.equal(f.Kind, 'trained model');
  assert.equal(f.Status, 'CREATE_FAILED (was CREATE_IN_PROGRESS)', 'status words read as they are: an inner _ is no emphasis');
  assert.equal(f.Duration, '1 h 23 min (created to last update)');
  assert.equal(f['Failure code'], 'ALGORITHM_ERROR');
  assert.equal(f['Instance type'], 'instance_type-v');
  assert.ok(plainTexts(m).includes('Training container exited with code 1'), 'why it failed');
  const arn = elements(m).find((e) => e.type === 'RichTextBlock' && e.inlines[0]?.fontType === 'Monospace');
  assert.ok(arn?.type === 'RichTextBlock');
  assert.equal(arn.inlines[0]!.text, TRAINED_MODEL_ARN);
  assert.ok(markdownTexts(m).some((t) => t.startsWith('Trained model ARN')));
  const footer = elements(m).at(-1);
  assert.ok(footer?.type === 'TextBlock' && footer.isSubtle === true);
  assert.match(footer.text, /^cleanroomsml-monitor · prod-eks · created 2026-11-28 12:00 UTC · updated 2026-11-28 13:23 UTC · observed/);
  assert.equal(a.content.fallbackText, 'Trained model churn-model_v2 failed: CREATE_FAILED (was CREATE_IN_PROGRESS)');
  // The same event renders the same bytes (a retry carries the same message).
  assert.equal(
    JSON.stringify(buildTeamsMessage(trainedModel('CREATE_FAILED', 'CREATE_IN_PROGRESS', FAILED), { monitorName: 'prod-eks' })),
    JSON.stringify(m),
  );
});

test('colour by status class: success green, failure red, under way blue, at rest and vanished neutral', () => {
  const style = (status: string, from: string | null = 'CREATE_IN_PROGRESS') => {
    const [header] = buildTeamsMessage(trainedModel(status, from)).attachments[0].content.body;
    assert.ok(header?.type === 'Container');
    return [header.style, header.items[0]?.type === 'TextBlock' ? header.items[0].text : ''];
  };
  assert.deepEqual(style('ACTIVE'), ['good', 'Trained model is ready']);
  assert.deepEqual(style('CREATE_FAILED'), ['attention', 'Trained model failed']);
  assert.deepEqual(style('CREATE_IN_PROGRESS', null), ['accent', 'Trained model is in progress']);
  assert.deepEqual(style('INACTIVE', 'ACTIVE'), ['emphasis', 'Trained model is at rest']);
  assert.deepEqual(style('VANISHED', 'ACTIVE'), ['emphasis', 'Trained model vanished']);
  // No failure section outside a failure, even when AWS left statusDetails behind.
  const active = buildTeamsMessage(trainedModel('ACTIVE', 'CREATE_IN_PROGRESS', FAILED));
  assert.equal(facts(active)['Failure code'], undefined);
  assert.ok(!plainTexts(active).includes('Training container exited with code 1'));
});

test('text from AWS cannot inject HTML, links, formatting or date functions', () => {
  const evil = '<img src=x onerror=alert(1)> [click](http://evil.example) **bold** _it_ `code` ~~s~~ &lt; {{DATE(2017-02-14T06:08:00Z)}}';
  const m = buildTeamsMessage(
    trainedModel('CREATE_FAILED', 'CREATE_IN_PROGRESS', {
      name: evil,
      statusDetails: { statusCode: `[x](http://evil)`, message: `${evil}\n- a list\n1. numbered\n# heading` },
      labels: { instance_type: evil },
    }),
  );
  // Markdown contexts: every opener escaped; the text still reads as written.
  for (const s of markdownTexts(m)) assert.deepEqual(unescapedMarkup(s), [], s);
  const f = facts(m);
  assert.equal(f['Failure code'], '\\[x\\](http\\://evil)');
  assert.equal(
    f['Instance type'],
    '\\<img src=x onerror=alert(1)\\> \\[click\\](http\\://evil.example) \\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\&lt; \\{\\{DATE(2017-02-14T06:08:00Z)\\}\\}',
  );
  // TextRuns are not Markdown: the name and the message are shown as written, only `{{` broken up.
  const runs = plainTexts(m);
  const shown = evil.replace('{{', '{\u200b{').replace('}}', '}}');
  assert.ok(runs.includes(shown), runs.join('\n'));
  assert.ok(runs.some((r) => r.startsWith(`${shown}\n- a list\n1. numbered\n# heading`)));
  assert.ok(!runs.some((r) => r.includes('{{')), 'no date function in a TextRun either');
  assert.ok(!JSON.stringify(m).includes('{{'), 'nowhere');
});

test('escapeMarkdown: what stays as written and what is escaped', () => {
  const same = [
    'CREATE_FAILED',
    'churn_model_v2',
    TRAINED_MODEL_ARN,
    'ml.m5.xlarge',
    '1 h 23 min (created to last update)',
    '2026-11-28 12:00 UTC',
    'a - b + c # d',
    '12,345',
  ];
  for (const s of same) assert.equal(escapeMarkdown(s), s);
  const cases: Array<[string, string]> = [
    ['_x_', '\\_x\\_'],
    ['a _b', 'a \\_b'],
    ['**b**', '\\*\\*b\\*\\*'],
    ['[t](u)', '\\[t\\](u)'],
    ['![i](u)', '!\\[i\\](u)'],
    ['<http://x>', '\\<http\\://x\\>'],
    ['see https://x.example/a', 'see https\\://x.example/a'],
    ['- item', '\\- item'],
    ['  + item', '  \\+ item'],
    ['1. first', '1\\. first'],
    ['2) second', '2\\) second'],
    ['# h', '\\# h'],
    ['> quote', '\\> quote'],
    ['a\\b', 'a\\\\b'],
    ['&amp;', '\\&amp;'],
    ['{{TIME(x)}}', '\\{\\{TIME(x)\\}\\}'],
    ['x\n- y', 'x\n\\- y'],
  ];
  for (const [raw, want] of cases) assert.equal(escapeMarkdown(raw), want, raw);
  assert.equal(plainText('a{{b}}\u0007c\nd'), 'a{\u200b{b}}c\nd');
});

test('fitting: within the cap, ending in an ellipsis, never an escape or a surrogate pair cut in half', () => {
  for (const raw of ['*'.repeat(50), '_a'.repeat(40), '😀'.repeat(30), 'a*😀_'.repeat(20), 'x'.repeat(100)]) {
    for (let max = 2; max <= 40; max++) {
      const out = markdownFit(raw, max);
      assert.ok(out.length <= max, `${out.length} > ${max}`);
      assert.ok(out.endsWith('…'));
      const body = out.slice(0, -1);
      assert.deepEqual(unescapedMarkup(body.replace(/\\$/, '')), [], `${raw} @${max}: ${body}`);
      assert.ok(!/\\$/.test(body.replace(/\\\\/g, '')), `an escape cut in half: ${body}`);
      assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(out), 'a split surrogate pair');
    }
  }
  assert.equal(
    fitRendered('short', 10, (s) => s),
    'short',
  );
  assert.equal(
    fitRendered('0123456789abc', 10, (s) => s),
    '012345678…',
  );
});

test('very long text is cut so the whole message stays within the Teams size limit', () => {
  const bytes = (m: TeamsMessage) => Buffer.byteLength(JSON.stringify(m), 'utf8');
  const huge = (unit: string, n: number) => unit.repeat(n);
  const variants: Array<[string, Partial<ResourceSnapshot>]> = [
    ['ascii', { name: huge('n', 10_000), statusDetails: { statusCode: huge('C', 5_000), message: huge('m', 100_000) } }],
    [
      '3-byte characters everywhere',
      {
        name: huge('名', 10_000),
        statusDetails: { statusCode: huge('码', 5_000), message: huge('消', 100_000) },
        versionIdentifier: huge('版', 5_000),
        labels: { instance_type: huge('型', 5_000) },
        results: { ...resource(KINDS.trainedModel).results, metrics_status: huge('状', 5_000), logs_status: huge('态', 5_000) },
      },
    ],
    ['all escaped', { name: huge('*', 10_000), statusDetails: { statusCode: huge('[', 5_000), message: huge('<"\\', 30_000) } }],
    ['emoji and lines', { name: huge('😀', 5_000), statusDetails: { statusCode: 'E', message: huge('line 😀\n', 20_000) } }],
    [
      'many long facts',
      {
        labels: Object.fromEntries(KINDS.trainedModel.labels.map((l) => [l.label, huge('λ*', 5_000)])),
        versionIdentifier: huge('v', 9_000),
      },
    ],
  ];
  for (const [what, over] of variants) {
    const m = buildTeamsMessage(trainedModel('CREATE_FAILED', 'CREATE_IN_PROGRESS', { ...FAILED, ...over }));
    const size = bytes(m);
    assert.ok(size <= TEAMS_LIMITS.messageBytes, `${what}: ${size} bytes`);
    assert.ok(TEAMS_LIMITS.messageBytes < 28_000, "below Teams' ~28 KB");
    // The parts are cut, not dropped: the card still names the resource and the failure.
    const runs = plainTexts(m);
    assert.ok(runs[0]!.endsWith('…') || over.name === undefined, `${what}: the name is cut`);
    if (over.statusDetails?.message !== undefined)
      assert.ok(
        runs.some((r) => r.endsWith('…') && r.length > 100),
        `${what}: the message is cut`,
      );
    assert.equal(facts(m).Kind, 'trained model');
    for (const s of markdownTexts(m)) assert.deepEqual(unescapedMarkup(s.replace(/…$/, '')), [], `${what}: ${s.slice(0, 80)}`);
    // Valid JSON with no lone surrogate anywhere.
    assert.ok(!/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i.test(JSON.stringify(m)), `${what}: a lone surrogate`);
  }
  // An ordinary message is not cut at all.
  const plain = buildTeamsMessage(trainedModel('CREATE_FAILED', 'CREATE_IN_PROGRESS', FAILED));
  assert.ok(!JSON.stringify(plain).includes('…'));
  assert.ok(bytes(plain) < 4_000, `${bytes(plain)} bytes`);
});

test('every kind renders, with its declared facts and tables as FactSets', () => {
  for (const kind of Object.values(KINDS)) {
    const snapshot = resource(kind, { status: 'ACTIVE' });
    const m = buildTeamsMessage(
      resourceEvent({ kind: 'status_changed', id: snapshot.id, from: 'CREATE_IN_PROGRESS', to: 'ACTIVE', observedAt: NOW, snapshot }),
    );
    assert.equal(facts(m).Kind, kind.title, kind.kind);
    assert.ok(plainTexts(m).includes(snapshot.id), `${kind.kind}: its id`);
    for (const s of markdownTexts(m)) assert.deepEqual(unescapedMarkup(s), [], `${kind.kind}: ${s}`);
  }
});

const answer = (status: number, body = '', headers: ReceiverAnswer['headers'] = {}): ReceiverAnswer => ({ status, headers, body });
/** The reason of a failure ('' when delivered). */
const reasonOf = (r: SendResult): string => (r.outcome === 'delivered' ? '' : r.reason);
const flowError = (code: string, message: string) => JSON.stringify({ error: { code, message } });

test('answers of a Workflows webhook: 202 delivered; refusals named by their code, with what to do', () => {
  assert.deepEqual(teams.classify(answer(202), NOW), { outcome: 'delivered', status: 202 });
  assert.deepEqual(teams.classify(answer(200, '1'), NOW), { outcome: 'delivered', status: 200 });

  const auth = teams.classify(
    answer(401, flowError('DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.')),
    NOW,
  );
  assert.deepEqual(auth, {
    outcome: 'permanent',
    status: 401,
    reason:
      'HTTP 401: DirectApiAuthorizationRequired (the flow takes only signed-in callers: set its trigger\'s "Who can trigger the flow" to "Anyone")',
    detail: 'The request must be authenticated only by Shared Access scheme.',
  });
  const off = teams.classify(answer(409, flowError('WorkflowTriggerIsNotEnabled', 'The workflow is disabled.')), NOW);
  assert.equal(off.outcome, 'permanent');
  assert.equal(
    reasonOf(off),
    'HTTP 409: WorkflowTriggerIsNotEnabled (the flow is turned off: turn it on, then re-send with `outbox retry`)',
  );
  const gone = teams.classify(answer(404, flowError('WorkflowNotFound', 'x')), NOW);
  assert.match(reasonOf(gone), /^HTTP 404: WorkflowNotFound \(no such flow/);

  const throttled = teams.classify(answer(429, flowError('WorkflowRequestsThrottled', 'Rate limit'), { 'retry-after': '30' }), NOW);
  assert.deepEqual(throttled, {
    outcome: 'retryable',
    status: 429,
    reason: 'HTTP 429: WorkflowRequestsThrottled',
    detail: 'Rate limit',
    retryAfterMs: 30_000,
  });
  assert.equal(teams.classify(answer(502, flowError('BadGateway', 'upstream')), NOW).outcome, 'retryable');
  assert.equal(teams.classify(answer(500, '<html>oops</html>'), NOW).outcome, 'retryable');

  const big = teams.classify(answer(413), NOW);
  assert.deepEqual(big, { outcome: 'permanent', status: 413, reason: 'HTTP 413: the message is larger than Teams accepts' });
  // A code the type does not know is the receiver's text: the detail, scrubbed like any other.
  assert.deepEqual(teams.classify(answer(400, flowError('SomethingNew', 'why')), NOW), {
    outcome: 'permanent',
    status: 400,
    reason: 'HTTP 400',
    detail: 'SomethingNew: why',
  });
  assert.deepEqual(teams.classify(answer(400, JSON.stringify({ error: 'flat' })), NOW), {
    outcome: 'permanent',
    status: 400,
    reason: 'HTTP 400',
    detail: '{"error":"flat"}',
  });
});

test('a retired Office 365 connector URL: the refusal inside a 200 is not counted as delivered', () => {
  const limited = teams.classify(
    answer(200, 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId abc'),
    NOW,
  );
  assert.equal(limited.outcome, 'retryable');
  assert.equal('status' in limited ? limited.status : 0, 200);
  assert.match(reasonOf(limited), /HTTP 200 with Teams' refusal HTTP 429/);
  const tooBig = teams.classify(answer(200, 'Microsoft Teams endpoint returned HTTP error 413 with ContextId abc'), NOW);
  assert.equal(tooBig.outcome, 'permanent');
  assert.match(reasonOf(tooBig), /too large/);
});

test("the Teams request: the URL as configured, JSON, the card's bytes", () => {
  const event = trainedModel('CREATE_FAILED', 'CREATE_IN_PROGRESS', FAILED);
  const url =
    'https://x.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SIG';
  const r = teams.request({ id: 'evt_1', event }, { url }, NOW, { monitorName: 'prod' });
  assert.equal(r.url, url);
  assert.deepEqual(r.headers, { 'content-type': 'application/json' });
  assert.deepEqual(JSON.parse(r.body), buildTeamsMessage(event, { monitorName: 'prod' }));
  assert.deepEqual(teams.defaults, { ratePerSecond: 1, concurrency: 1 });
});
