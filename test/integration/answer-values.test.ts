// Values past the service model's documented ranges, and items that cannot be read, through the
// real daemon (dist/cli.js) against the simulator on 127.0.0.1. One export job of 25,000,000
// records (the model says at most 20,000,000) must not blind ListAudienceExportJobs: the page is
// read, the job tracked as given, another job's ACTIVE seen and notified at a real receiver. An
// item whose number is 1e400 or whose status is not a string is refused alone: counted (scraped
// over HTTP), logged once, and its resource keeps its last state. A static job whose Get carries
// such a value is tracked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../../src/dev/sim/server.js';
import { baseConfig, DAEMON_CREDS, getText, metricSample, observed, startDaemon, until, workdir } from '../helpers/daemon.js';
import { type Recorded, startReceiver } from '../helpers/receiver.js';

const COLLAB = '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901';
const OTHER = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const OUT_OF_RANGE = 'cleanroomsml_monitor_api_values_out_of_range_total';
const REFUSED = 'cleanroomsml_monitor_api_items_refused_total';
const EXPORT_STATUS = 'cleanroomsml_audience_export_job_status';

const bodyOf = (r: Recorded) => JSON.parse(r.body) as { type: string; data: { arn: string; status: string; name: string } };

test('an out-of-range value is accepted and a broken item refused alone: the rest of the List page is read, committed and notified', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('answer-values');
  try {
    const [parent] = sim.putJobs([{ name: 'parent', status: 'ACTIVE', collaborationId: COLLAB }]);
    const parentArn = parent!.audienceGenerationJobArn as string;
    // A static job elsewhere (no discovery covers it): its Get carries an audience of 25,000,000.
    const [stat] = sim.putJobs([
      {
        name: 'static-big',
        status: 'ACTIVE',
        collaborationId: OTHER,
        metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 25_000_000 }, score: 0.7 }], recallMetric: 0.4 },
      },
    ]);
    const staticArn = stat!.audienceGenerationJobArn as string;
    const exportJob = (name: string, value: number, createTime: string) => ({
      kind: 'audienceExportJob',
      name,
      audienceGenerationJobArn: parentArn,
      status: 'CREATE_IN_PROGRESS',
      createTime,
      audienceSize: { type: 'ABSOLUTE', value },
    });
    // Created an hour ago, a minute apart (their ids hold their createTime), relative to the clock of this run.
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    const exports = sim.putResources([
      exportJob('big', 25_000_000, ago(60)),
      exportJob('fine', 1_000, ago(59)),
      exportJob('infinite', 2_000, ago(58)),
      exportJob('typed', 3_000, ago(57)),
    ]);
    const [big, fine, infinite, typed] = exports.map((e) => e['id'] as string) as [string, string, string, string];
    const config = baseConfig({
      simUrl: sim.url,
      stateDir: w.stateDir,
      collaborationId: COLLAB,
      targets: [{ name: 'default', type: 'webhook', url: `${rx.url}/hook`, allowHttp: true }],
    });
    await w.writeConfig({
      ...config,
      discovery: [{ collaborationId: COLLAB, kinds: ['audienceGenerationJob', 'audienceExportJob'] }],
      jobs: [{ arn: staticArn }],
    });

    const d = await startDaemon(w);
    try {
      await until(async () => {
        const o = await observed(d);
        return [big, fine, infinite, typed, parentArn, staticArn].every((id) => o.has(id) && o.get(id) !== 'undefined undefined');
      }, 'the export jobs, their parent and the static job tracked');

      // From now on two items of the page cannot be read: a number written 1e400, a status that is a number.
      sim.setFaults({
        malformed: [
          { arn: infinite, kind: 'nonFinite', operations: ['list'] },
          { arn: typed, kind: 'wrongType', operations: ['list'] },
        ],
      });
      const refusedAt = (m: string, member: string) => metricSample(m, REFUSED, { operation: 'ListAudienceExportJobs', member }) ?? 0;
      await until(async () => {
        const m = await getText(`${d.url}/metrics`);
        return refusedAt(m, 'audienceSize.value') >= 2 && refusedAt(m, 'status') >= 2;
      }, 'the broken items refused on two sweeps');
      // Meanwhile the good ones move: both are seen and notified.
      for (const id of [big, fine]) {
        const r = await fetch(`${sim.url}/_sim/resources/${encodeURIComponent(id)}/status`, {
          method: 'POST',
          body: JSON.stringify({ status: 'ACTIVE' }),
        });
        assert.equal(r.status, 200);
      }
      await rx.waitFor(2, 15_000);
      await new Promise((r) => setTimeout(r, 2_000));
      assert.deepEqual(rx.requests.map((r) => [bodyOf(r).type, bodyOf(r).data.name, bodyOf(r).data.status]).sort(), [
        ['audience_export_job.status_changed', 'big', 'ACTIVE'],
        ['audience_export_job.status_changed', 'fine', 'ACTIVE'],
      ]);

      const m = await getText(`${d.url}/metrics`);
      // Accepted as given, exported, counted.
      assert.equal(metricSample(m, 'cleanroomsml_audience_export_job_audience_size', { arn: big }), 25_000_000);
      assert.ok((metricSample(m, OUT_OF_RANGE, { operation: 'ListAudienceExportJobs', member: 'audienceSize.value' }) ?? 0) >= 2);
      // The static job is tracked from its Get, its relevance by audience size as given.
      assert.equal(
        metricSample(m, 'cleanroomsml_audience_generation_job_relevance_score', { arn: staticArn, audience_size: '25000000' }),
        0.7,
      );
      assert.ok(
        (metricSample(m, OUT_OF_RANGE, {
          operation: 'GetAudienceGenerationJob',
          member: 'metrics.relevanceMetrics[].audienceSize.value',
        }) ?? 0) >= 1,
      );
      // The refused ones keep their last state: still tracked, still CREATE_IN_PROGRESS, nothing vanished.
      for (const id of [infinite, typed]) assert.equal(metricSample(m, EXPORT_STATUS, { arn: id, status: 'CREATE_IN_PROGRESS' }), 1, id);
      assert.equal(metricSample(m, 'cleanroomsml_monitor_transitions_total', { to: 'VANISHED' }), undefined);
      // A refused item is not an API error (the answer was read), and the List stays up.
      assert.equal(
        metricSample(m, 'cleanroomsml_monitor_api_requests_total', { operation: 'ListAudienceExportJobs', outcome: 'error' }),
        0,
      );

      // Logged once per resource and member, not once per sweep.
      const lines = d.stdout().split('\n');
      const count = (id: string, what: string) => lines.filter((l) => l.includes(`"id":"${id}"`) && l.includes(what)).length;
      assert.equal(count(big, 'documented range'), 1);
      assert.equal(count(staticArn, 'documented range'), 1);
      assert.equal(count(infinite, 'could not be read'), 1);
      assert.equal(count(typed, 'could not be read'), 1);
      assert.match(
        lines.find((l) => l.includes(`"id":"${infinite}"`) && l.includes('could not be read'))!,
        /"member":"audienceSize\.value","problem":"ListAudienceExportJobs\.audienceExportJobs\[\d\]: member audienceSize\.value is Infinity, not a finite number"/,
      );
    } finally {
      await d.kill();
    }
  } finally {
    await rx.close();
    await sim.close();
  }
});
