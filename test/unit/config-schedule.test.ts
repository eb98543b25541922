import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { getTasks } from 'node-cron';
import { isCronWithSeconds, scheduleIntervalMs } from '../../src/config/schedule.js';

// Mid-June: no DST change within the 8-day horizon in any zone that has one.
const FROM = new Date(2026, 5, 10, 12, 0, 7).getTime();
const S = 1000;
const H = 3600 * S;

test('isCronWithSeconds: six node-cron fields only', () => {
  for (const ok of ['*/30 * * * * *', '0 */5 * * * *', '0 0 9 * * MON-FRI', ' 15 * * * * * ', '0 0 0 L * *'])
    assert.ok(isCronWithSeconds(ok), ok);
  for (const bad of ['*/5 * * * *', '@hourly', '', '60 * * * * *', '* * * * * * *', '*/30\t* * * * *', 'every 30s'])
    assert.ok(!isCronWithSeconds(bad), bad);
});

test('scheduleIntervalMs: the longest gap between ticks, quiet hours included', () => {
  assert.equal(scheduleIntervalMs('*/30 * * * * *', FROM), 30 * S);
  assert.equal(scheduleIntervalMs('* * * * * *', FROM), 1 * S);
  assert.equal(scheduleIntervalMs('*/7 * * * * *', FROM), 7 * S); // 0,7,...,56 then 4 s to 0
  assert.equal(scheduleIntervalMs('0 */5 * * * *', FROM), 300 * S);
  assert.equal(scheduleIntervalMs('0,10 * * * * *', FROM), 50 * S);
  assert.equal(scheduleIntervalMs('*/10 * 9-17 * * *', FROM), 15 * H + 10 * S); // 17:59:50 -> 09:00:00
  assert.equal(scheduleIntervalMs('0 0 9 * * MON-FRI', FROM), 72 * H); // Friday -> Monday
  assert.equal(scheduleIntervalMs('0 0 12 1 * *', FROM), 31 * 24 * H); // 1 July -> 1 August
  // Defaults to now, and leaves no task registered in node-cron.
  const before = getTasks().size;
  assert.equal(scheduleIntervalMs('*/30 * * * * *'), 30 * S);
  assert.equal(getTasks().size, before);
});

test('scheduleIntervalMs: throws on anything but a cron expression with seconds', () => {
  assert.throws(() => scheduleIntervalMs('*/5 * * * *'), /polling\.schedule: not a valid cron expression with seconds/);
});
