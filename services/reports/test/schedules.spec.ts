import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { quoteIdentifier } from '@np/persistence';
import { event, type ReportsUnderTest, startReportsUnderTest } from './reports-harness.js';

// Two replicas of reports (each with its bus and a files replica) on one schema and one
// schedule firing every minute: each tick makes exactly one export, whichever replica sent it.
const env = { NP_REPORTS_CRON_CHECK_SECONDS: '2', NP_REPORTS_EXPORT_RETRIES: '0' };
let first: ReportsUnderTest;
let second: ReportsUnderTest;
let token: string;
/** The same caller as the second replica's issuer signs it (each test service trusts its own key). */
let secondToken: string;
const owner = randomUUID();

beforeAll(async () => {
  first = await startReportsUnderTest(env, { withFiles: true });
  second = await startReportsUnderTest(env, { withFiles: true, schema: first.schema, filesSchema: first.filesSchema });
  token = await first.tokens.sign({ sub: owner, roles: ['manager'] });
  secondToken = await second.tokens.sign({ sub: owner, roles: ['manager'] });
  const createdAt = new Date().toISOString();
  await first.deliver(event('users.user.created', { user: { id: randomUUID(), email: 'scheduled@reports.test', displayName: 'S', roles: ['member'], createdAt, updatedAt: createdAt } }));
}, 60_000);
afterAll(async () => {
  await second?.close();
  await first?.close();
});

describe('schedules', () => {
  it('runs each tick once across two replicas and keeps the deliveries as runs', async () => {
    const report = await first.client.call('reports.create', { name: 'Every minute', dataset: 'users' } as never, { token });
    const schedule = await first.client.call('reports.schedules.create', { id: report.id, schedule: { cron: '* * * * *', timezone: 'Europe/Paris', format: 'csv' } }, { token });
    expect(schedule).toMatchObject({ reportId: report.id, cron: '* * * * *', timezone: 'Europe/Paris', format: 'csv', ownerId: owner });
    await expect(second.client.call('reports.schedules.list', { id: report.id }, { token: secondToken })).resolves.toEqual({ items: [schedule] });
    const table = `${quoteIdentifier(first.schema)}.exports`;
    // Three ticks: enough for both replicas' cron passes to have raced on at least two of them.
    const deadline = Date.now() + 200_000;
    for (;;) {
      const done = await first.sql.query(`select count(*)::int as n from ${table} where schedule_id = $1 and status = 'succeeded'`, [schedule.id]);
      if ((done.rows[0] as { n: number }).n >= 3) break;
      if (Date.now() > deadline) throw new Error('three ticks did not run');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await first.client.call('reports.schedules.delete', { id: report.id, scheduleId: schedule.id }, { token });
    const perMinute = await first.sql.query(`select date_trunc('minute', created_at) as minute, count(*)::int as n from ${table} where schedule_id = $1 group by 1 order by 1`, [schedule.id]);
    expect(perMinute.rows.length).toBeGreaterThanOrEqual(3);
    expect(perMinute.rows.map((row) => (row as { n: number }).n)).toEqual(perMinute.rows.map(() => 1));
    const runs = await second.client.call('reports.runs.list', { id: report.id }, { token: secondToken });
    expect(runs.items.length).toBe(perMinute.rows.length);
    for (const run of runs.items.filter((item) => item.status === 'succeeded')) expect(run).toMatchObject({ scheduleId: schedule.id, rows: 1, error: null, format: 'csv' });
  }, 240_000);

  it('refuses a bad cron expression or time zone, and an unknown report or schedule', async () => {
    const report = await first.client.call('reports.create', { name: 'x', dataset: 'users' } as never, { token });
    await expect(first.client.call('reports.schedules.create', { id: report.id, schedule: { cron: 'every day at 9', timezone: 'UTC', format: 'csv' } }, { token })).rejects.toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: ['cron'] })] });
    await expect(first.client.call('reports.schedules.create', { id: report.id, schedule: { cron: '0 9 * * *', timezone: 'Moon/Base', format: 'csv' } }, { token })).rejects.toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: ['timezone'] })] });
    await expect(first.client.call('reports.schedules.create', { id: randomUUID(), schedule: { cron: '0 9 * * *', timezone: 'UTC', format: 'csv' } }, { token })).rejects.toMatchObject({ code: 'not_found' });
    await expect(first.client.call('reports.schedules.delete', { id: report.id, scheduleId: randomUUID() }, { token })).rejects.toMatchObject({ code: 'not_found' });
    await expect(first.client.call('reports.schedules.list', { id: report.id }, { token })).resolves.toEqual({ items: [] });
  });
});
