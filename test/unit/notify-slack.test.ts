import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSlackMessage, SLACK_LIMITS, type SlackBlock, type SlackMessage } from '../../src/targets/slack-message.js';
import { escapeMrkdwn, mrkdwnFit } from '../../src/targets/slack-text.js';
import { formatDuration, truncate } from '../../src/targets/text.js';
import { ARN, COLLABORATION, FAILED_JOB, MODEL, change, entryFor, T0 } from '../helpers/notify-fixtures.js';

function texts(b: SlackBlock): string[] {
  if (b.type === 'header') return [b.text.text];
  if (b.type === 'section') return [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)];
  if (b.type === 'context') return b.elements.map((e) => e.text);
  return [];
}

/** Every Block Kit limit the message must respect. */
function assertWithinLimits(m: SlackMessage): void {
  assert.ok(m.blocks.length <= SLACK_LIMITS.blocks && m.attachments[0].blocks.length <= SLACK_LIMITS.blocks);
  const blocks = [...m.blocks, ...m.attachments[0].blocks];
  assert.ok(m.text.length > 0 && m.text.length <= SLACK_LIMITS.text);
  for (const b of blocks) {
    if (b.type === 'header') assert.ok(b.text.text.length <= 150, `header ${b.text.text.length}`);
    if (b.type === 'section') {
      assert.ok(b.text !== undefined || (b.fields?.length ?? 0) > 0);
      if (b.text) assert.ok(b.text.text.length <= 3000, `section ${b.text.text.length}`);
      assert.ok((b.fields?.length ?? 0) <= 10);
      for (const f of b.fields ?? []) assert.ok(f.text.length <= 2000 && f.text.length > 0, `field ${f.text.length}`);
    }
    if (b.type === 'context') assert.ok(b.elements.length <= 10 && b.elements.every((e) => e.text.length <= 3000));
  }
}

test('ACTIVE: green, header with emoji, name and status; fields; relevance table; recall', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE', {
    updateTime: T0 + 83 * 60_000,
    metrics: {
      relevanceMetrics: [
        { audienceSize: { type: 'ABSOLUTE', value: 10000 }, score: 0.9123 },
        { audienceSize: { type: 'PERCENTAGE', value: 5 }, score: 0.8 },
      ],
      recallMetric: 0.42,
    },
  });
  const m = buildSlackMessage(entryFor('s', t).event, { monitorName: 'prod-eks' });
  assertWithinLimits(m);
  assert.equal(m.attachments[0].color, '#2EB67D');
  const [header, fields] = m.blocks;
  assert.deepEqual(header, { type: 'header', text: { type: 'plain_text', text: ':white_check_mark: lookalike-q3: ACTIVE', emoji: true } });
  const all = [...m.blocks, ...m.attachments[0].blocks].flatMap(texts).join('\n');
  assert.ok(fields?.type === 'section' && fields.fields?.some((f) => f.text === '*Status*\nACTIVE (was CREATE_IN_PROGRESS)'));
  assert.match(all, /1 h 23 min/);
  assert.match(all, /5f6e7d8c-1111-2222-3333-444455556666/);
  assert.match(all, /configured-audience-model/);
  assert.match(all, /`arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job\/[^`]+`/);
  assert.match(all, /10,000 +0\.912/);
  assert.match(all, /5 % +0\.800/);
  assert.match(all, /\*Recall\*\n0\.420/);
  assert.match(all, /prod-eks/);
  assert.match(m.text, /lookalike-q3.*ACTIVE/);
});

test('failure: red, statusDetails message quoted and escaped', () => {
  const t = change('CREATE_IN_PROGRESS', 'CREATE_FAILED', { statusDetails: { statusCode: 'INTERNAL', message: 'seed <b> & co\nline2' } });
  const m = buildSlackMessage(entryFor('s', t).event);
  assertWithinLimits(m);
  assert.equal(m.attachments[0].color, '#E01E5A');
  const all = [...m.blocks, ...m.attachments[0].blocks].flatMap(texts).join('\n');
  assert.match(all, /\*Why it failed\* \(INTERNAL\)\n> seed &lt;b&gt; &amp; co\n> line2/);
});

test('huge inputs stay within every Slack limit: 60 relevance metrics, 10 KB message, 400-char name', () => {
  const relevanceMetrics = Array.from({ length: 60 }, (_, i) => ({
    audienceSize: { type: i % 2 ? 'ABSOLUTE' : 'PERCENTAGE', value: 1000 * (i + 1) },
    score: i / 60,
  }));
  const name = 'n<&>'.repeat(100);
  const t = change('CREATE_IN_PROGRESS', 'CREATE_FAILED', {
    name,
    metrics: { relevanceMetrics, recallMetric: 0.1 },
    statusDetails: { message: 'x&<>'.repeat(2500) },
    description: 'd'.repeat(5000),
  });
  const m = buildSlackMessage(entryFor('s', t).event, { monitorName: 'm'.repeat(5000) });
  assertWithinLimits(m);
  const header = m.blocks[0];
  assert.ok(header?.type === 'header' && header.text.text.endsWith('…') && header.text.text.length === 150);
  // mrkdwn texts only (the header is plain_text, which Slack does not parse).
  const all = [...m.blocks.slice(1), ...m.attachments[0].blocks].flatMap(texts).join('\n');
  assert.ok(!/&(?!amp;|lt;|gt;)/.test(all.replace(/&amp;|&lt;|&gt;/g, '')), 'no bare & in mrkdwn');
  // 60 rows fit in 3000 chars as a compact table.
  assert.match(all, /60,000/);
});

test('hundreds of relevance metrics: table truncated with a count, never over 3000', () => {
  const relevanceMetrics = Array.from({ length: 400 }, (_, i) => ({
    audienceSize: { type: 'ABSOLUTE', value: 1_000_000 + i },
    score: 0.5,
  }));
  const m = buildSlackMessage(entryFor('s', change('CREATE_IN_PROGRESS', 'ACTIVE', { metrics: { relevanceMetrics } })).event);
  assertWithinLimits(m);
  assert.match([...m.blocks, ...m.attachments[0].blocks].flatMap(texts).join('\n'), /… and \d+ more/);
});

test('text helpers', () => {
  assert.equal(escapeMrkdwn('a<b>&c'), 'a&lt;b&gt;&amp;c');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('ab', 4), 'ab');
  assert.equal(truncate('a😀b', 3), 'a…', 'never splits a surrogate pair');
  assert.equal(mrkdwnFit('&&&&', 10), '&amp;…');
  assert.equal(formatDuration(45_000), '45 s');
  assert.equal(formatDuration(12 * 60_000), '12 min');
  assert.equal(formatDuration(83 * 60_000), '1 h 23 min');
  assert.equal(formatDuration(51 * 3_600_000), '2 d 3 h');
  assert.equal(formatDuration(-1), 'unknown');
});

test('a failure message of thousands of lines stays within the section limit', () => {
  const t = change('CREATE_IN_PROGRESS', 'CREATE_FAILED', { statusDetails: { message: 'line &\n'.repeat(5000) } });
  const m = buildSlackMessage(entryFor('s', t).event);
  assertWithinLimits(m);
});

test('vanished and in-progress events render with neutral colours and no duration claim', () => {
  const v = buildSlackMessage(entryFor('s', change('ACTIVE', 'VANISHED', {}, 'vanished')).event);
  assertWithinLimits(v);
  assert.equal(v.attachments[0].color, '#868686');
  const p = buildSlackMessage(entryFor('s', change(null, 'CREATE_PENDING')).event);
  assert.equal(p.attachments[0].color, '#1D9BD1');
  assert.doesNotMatch(p.text, /was/);
});

test('text from outside is escaped in every mrkdwn field, the text and the fallback: no mention or link can be injected', () => {
  const evil = '<!channel> <https://evil.example|AWS console> & <@U123>';
  const t = change('CREATE_IN_PROGRESS', 'CREATE_FAILED', {
    name: evil,
    arn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${evil}`,
    // Members the model bounds (collaborationId 36, startedBy 12) carry what fits in them.
    collaborationId: '<!channel> & <@U123>',
    configuredAudienceModelArn: evil,
    startedBy: '<!here>&<@U>',
    statusDetails: { statusCode: evil, message: evil },
    metrics: { relevanceMetrics: [{ audienceSize: { type: evil, value: 5 }, score: 0.5 }] },
  });
  const m = buildSlackMessage(entryFor('s', t).event, { monitorName: evil });
  assertWithinLimits(m);
  const mrkdwn = [
    m.text,
    m.attachments[0].fallback,
    ...[...m.blocks, ...m.attachments[0].blocks].filter((b) => b.type !== 'header').flatMap(texts),
  ];
  for (const s of mrkdwn) {
    // `<` opens every Slack control sequence (mentions, links); none may come from the outside.
    assert.ok(!s.includes('<'), `raw < in: ${s}`);
    assert.ok(!/&(?!amp;|lt;|gt;)/.test(s), `raw & in: ${s}`);
  }
  assert.ok(m.text.includes('&lt;!channel&gt; &lt;https://evil.example|AWS console&gt; &amp; &lt;@U123&gt;'), m.text);
  assert.equal(m.attachments[0].fallback, m.text);
  // The header is plain_text, which Slack never parses for mentions or links: shown as written.
  const header = m.blocks[0]!;
  assert.equal(header.type === 'header' && header.text.type, 'plain_text');
  // Escaping never cuts an entity in half when the fallback is shortened.
  const long = buildSlackMessage(entryFor('s', change('CREATE_IN_PROGRESS', 'ACTIVE', { name: '<'.repeat(2000) })).event);
  assert.ok(long.text.length <= SLACK_LIMITS.text && /^(?:[^&]|&lt;|&amp;|&gt;)*$/.test(long.text), long.text.slice(-20));
});

test('an audience generation job failure says what earlier releases said: facts, why it failed, the relevance table', () => {
  const t = change('CREATE_IN_PROGRESS', 'CREATE_FAILED', FAILED_JOB);
  const m = buildSlackMessage(entryFor('s', t).event, { monitorName: 'prod' });
  // The message of the release that had its own audience generation job path, block for block; only
  // the ARN's heading now names the kind ("Job ARN" before).
  const fallback = ':x: Audience generation job lookalike-q3 failed: CREATE_FAILED (was CREATE_IN_PROGRESS)';
  assert.deepEqual(m, {
    text: fallback,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':x: lookalike-q3: CREATE_FAILED', emoji: true } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Status*\nCREATE_FAILED (was CREATE_IN_PROGRESS)' },
          { type: 'mrkdwn', text: '*Duration*\n1 min (created to last update)' },
          { type: 'mrkdwn', text: `*Collaboration*\n\`${COLLABORATION}\`` },
          { type: 'mrkdwn', text: `*Configured audience model*\n\`${MODEL}\`` },
          { type: 'mrkdwn', text: '*Recall*\n0.420' },
          { type: 'mrkdwn', text: '*Started by*\n`111122223333`' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Audience generation job ARN*\n\`${ARN}\`` } },
      { type: 'section', text: { type: 'mrkdwn', text: '*Why it failed* (INSUFFICIENT_SEED)\n> Seed audience has fewer than 500 users' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Relevance by audience size*\n```\nAudience size  Score\n10,000         0.912\n5 %            0.800\n```',
        },
      },
    ],
    attachments: [
      {
        color: '#E01E5A',
        fallback,
        blocks: [
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: 'cleanroomsml-monitor · prod · created 2026-11-28 10:00 UTC · updated 2026-11-28 10:01 UTC · observed 2026-11-28 10:01 UTC',
              },
            ],
          },
        ],
      },
    ],
  });
});

test('relevance table: an audience size type the table does not know is written after the size; no table without scores', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE', {
    metrics: { relevanceMetrics: [{ audienceSize: { type: 'BUCKETS', value: 1234 }, score: 1 }] },
  });
  const all = buildSlackMessage(entryFor('s', t).event).blocks.flatMap(texts).join('\n');
  assert.match(all, /1,234 BUCKETS +1\n/);
  const none = buildSlackMessage(entryFor('s', change('CREATE_IN_PROGRESS', 'ACTIVE', { metrics: { relevanceMetrics: [] } })).event);
  assert.doesNotMatch(none.blocks.flatMap(texts).join('\n'), /Relevance/);
});

test('the keys of tags.keys the resource carries are fields of their own, in the listed order, escaped', () => {
  const e = entryFor('slack', change('CREATE_IN_PROGRESS', 'ACTIVE'));
  e.event.resource.tags = { 'cost-center': '<!here> cc-1', team: 'risk', secret: 'not listed' };
  const m = buildSlackMessage(e.event, { tagKeys: ['team', 'cost-center', 'owner'] });
  const text = JSON.stringify(m.blocks);
  const section = m.blocks.find((b) => b.type === 'section' && JSON.stringify(b).includes('*team*'));
  assert.ok(section, text);
  assert.deepEqual(
    (section as { fields: Array<{ text: string }> }).fields.map((f) => f.text),
    ['*team*\nrisk', `*cost-center*\n${escapeMrkdwn('<!here> cc-1')}`],
  );
  assert.ok(!text.includes('not listed') && !text.includes('<!here>'));
  assert.ok(!JSON.stringify(buildSlackMessage(e.event).blocks).includes('risk'), 'no tags.keys: no tag fields');
});
