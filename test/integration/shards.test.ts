// Shards split the work and lose nothing, through real boundaries: the daemon run as 2 and as 3
// shard processes (`run --shard I --total-shards N`, each with its own state dir) against the
// simulator on 127.0.0.1, over a fleet with audience export jobs, trained model versions and
// trained model export jobs. Every resource is on exactly one shard's /metrics (scraped over
// HTTP); every status change reaches the webhook receiver exactly once across the shards; the
// shards' List calls together are one pod's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { DAEMON_CREDS, metricSample, until } from '../helpers/daemon.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { exported, move, putShardFleet, startShard, type ShardFleet, type ShardProcess } from '../helpers/shard-fleet.js';

/** Which shards export each resource, and with which status. */
async function coverage(shards: readonly ShardProcess[]): Promise<Map<string, Array<{ shard: number; status: string }>>> {
  const out = new Map<string, Array<{ shard: number; status: string }>>();
  for (const s of shards)
    for (const [id, status] of exported(await s.metrics())) {
      const on = out.get(id) ?? [];
      on.push({ shard: s.index, status });
      out.set(id, on);
    }
  return out;
}

/** Notifications received, by "id status", with their event ids. */
function received(r: Receiver): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const req of r.requests) {
    const b = JSON.parse(req.body) as { id: string; data: { arn: string; status: string } };
    const key = `${b.data.arn} ${b.data.status}`;
    out.set(key, [...(out.get(key) ?? []), b.id]);
  }
  return out;
}

async function runFleet(total: number): Promise<{ fleet: ShardFleet; sim: Simulator; shards: ShardProcess[]; receiver: Receiver }> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: DAEMON_CREDS });
  const receiver = await startReceiver();
  const fleet = putShardFleet(sim);
  const shards: ShardProcess[] = [];
  for (let index = 0; index < total; index++)
    shards.push(await startShard({ simUrl: sim.url, fleet, hookUrl: `${receiver.url}/hook`, index, total }));
  return { fleet, sim, shards, receiver };
}

for (const total of [2, 3]) {
  test(`${total} shard processes: every resource on exactly one shard's /metrics, each change notified exactly once`, async () => {
    const { fleet, sim, shards, receiver } = await runFleet(total);
    try {
      const kinds = new Set(fleet.ids.values());
      assert.ok(
        ['audienceExportJob', 'trainedModelExportJob', 'trainedModel'].every((k) => kinds.has(k)),
        'the fleet has every kind of child',
      );
      // The first full picture: every resource on some shard, none on two.
      await until(
        async () => {
          const c = await coverage(shards);
          return [...fleet.ids.keys()].every((id) => c.has(id));
        },
        'every resource on some shard',
        30_000,
      );
      let c = await coverage(shards);
      for (const id of fleet.ids.keys()) assert.equal(c.get(id)?.length, 1, `${id} on ${JSON.stringify(c.get(id))}`);
      assert.equal(c.size, fleet.ids.size, 'nothing else is exported');
      const used = new Set([...c.values()].map((on) => on[0]!.shard));
      assert.equal(used.size, total, `the work is split: resources on ${[...used].join(',')}`);
      // /api/jobs of each shard lists what it watches: every resource on one shard's (a static
      // another shard's List covers is not left behind as "never seen" on the shard of its ARN hash).
      const listed = new Map<string, number>();
      for (const s of shards) {
        const m = await s.metrics();
        assert.equal(metricSample(m, 'cleanroomsml_monitor_shard_info', { shard: String(s.index), total_shards: String(total) }), 1);
        const api = (await (await fetch(`${s.daemon.adminUrl}/api/jobs`)).json()) as { jobs: Array<{ arn: string; status?: string }> };
        for (const j of api.jobs) listed.set(j.arn, (listed.get(j.arn) ?? 0) + 1);
      }
      for (const id of fleet.ids.keys()) assert.equal(listed.get(id), 1, `${id} in ${listed.get(id) ?? 0} shards' /api/jobs`);
      assert.equal(listed.size, fleet.ids.size);

      // Every resource under way moves once; each change is notified once across the shards.
      const want = new Map<string, string>();
      fleet.moving.forEach((r, i) => {
        const status = i % 5 === 2 ? 'CREATE_FAILED' : 'ACTIVE';
        move(sim, r, status);
        want.set(`${r.id} ${status}`, r.id);
      });
      await until(() => [...want.keys()].every((k) => received(receiver).has(k)), 'every change notified', 30_000);
      await new Promise((r) => setTimeout(r, 2_500)); // a few more sweeps: nothing repeats
      const got = received(receiver);
      for (const k of want.keys()) assert.equal(got.get(k)?.length, 1, `${k} notified ${got.get(k)?.length} times`);
      assert.deepEqual(
        [...got.keys()].filter((k) => !want.has(k)),
        [],
        'nothing else notified',
      );
      c = await coverage(shards);
      for (const id of fleet.ids.keys()) assert.equal(c.get(id)?.length, 1, `${id} still on one shard`);
    } finally {
      for (const s of shards) await s.daemon.kill();
      await receiver.close();
      await sim.close();
    }
  });
}

/** List requests this daemon sent (every outcome), from its /metrics. */
function listRequests(metrics: string): number {
  let n = 0;
  for (const m of metrics.matchAll(/^cleanroomsml_monitor_api_requests_total\{operation="List[^"]*",[^}]*\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

test('the shards together call each List once per sweep, as one pod does', async () => {
  // The same fleet under one pod, then three shards: List calls per second over the same window.
  const rate = async (total: number) => {
    const { sim, shards, receiver, fleet } = await runFleet(total);
    try {
      await until(
        async () => {
          const c = await coverage(shards);
          return [...fleet.ids.keys()].every((id) => c.has(id));
        },
        'every resource on some shard',
        30_000,
      );
      await new Promise((r) => setTimeout(r, 2_000));
      // Each shard's own List calls per its own sweep, summed over the shards: a shard that skips a
      // tick on a loaded machine neither adds nor hides calls.
      const count = async (s: (typeof shards)[number]) => {
        const text = await s.metrics();
        const sweeps = metricSample(text, 'cleanroomsml_monitor_sweeps_total', { outcome: 'success' }) ?? 0;
        return { sweeps, lists: listRequests(text) };
      };
      const before = await Promise.all(shards.map(count));
      await new Promise((r) => setTimeout(r, 5_000));
      const after = await Promise.all(shards.map(count));
      let perSweep = 0;
      for (const [i, a] of after.entries()) {
        const sweeps = a.sweeps - before[i]!.sweeps;
        assert.ok(sweeps >= 3, `shard ${i}: ${sweeps} sweeps in the window`);
        perSweep += (a.lists - before[i]!.lists) / sweeps;
      }
      return perSweep;
    } finally {
      for (const s of shards) await s.daemon.kill();
      await receiver.close();
      await sim.close();
    }
  };
  const one = await rate(1);
  const three = await rate(3);
  assert.ok(three <= one * 1.1 + 0.5, `List calls per sweep: 3 shards ${three.toFixed(1)}, one pod ${one.toFixed(1)}`);
});
