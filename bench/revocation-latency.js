// `npm run bench:revocation`: how long after a logout is answered the gateway refuses the
// session's access token (the revocation travels: auth's commit → outbox relay → event → each
// gateway's list), in both shapes. The baseline, measured in the same run, is one authenticated
// request's round trip: the ratio says how many requests' worth of time the propagation takes.
//
// Environment: BENCH_REVOCATIONS (20 per shape), BENCH_TARGETS (embedded,distributed), plus the
// servers of .local/servers.env for the distributed shape (`npm run bench:revocation` reads them).
import { ADMIN, startPlatform } from '../test/harness/platform.js';

const SAMPLES = Number(process.env.BENCH_REVOCATIONS ?? 20);
const TARGETS = (process.env.BENCH_TARGETS ?? 'embedded,distributed').split(',').map((s) => s.trim()).filter(Boolean);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function measure(shape) {
  console.log(`[bench] ${shape}: starting the platform`);
  const platform = await startPlatform(shape, { env: { LOG_LEVEL: 'warn', NP_RATE_LIMIT_IP_PER_MINUTE: '100000000', NP_RATE_LIMIT_USER_PER_MINUTE: '100000000' } });
  const post = (path, body) => fetch(`${platform.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const me = (token) => fetch(`${platform.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  const propagation = [];
  const roundTrip = [];
  try {
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const pair = await (await post('/v1/auth/login', ADMIN)).json();
      const before = performance.now();
      await me(pair.access_token);
      roundTrip.push(performance.now() - before);
      await post('/v1/auth/logout', { refresh_token: pair.refresh_token });
      const answered = performance.now();
      while ((await me(pair.access_token)).status !== 401);
      propagation.push(performance.now() - answered);
    }
  } finally {
    await platform.close();
  }
  return { shape, propagation: median(propagation), worst: Math.max(...propagation), roundTrip: median(roundTrip) };
}

const rows = [];
for (const shape of TARGETS) rows.push(await measure(shape));
console.log('\n| shape | request round trip (baseline), median ms | logout → token refused, median ms | worst ms | ratio |');
console.log('|:--|--:|--:|--:|--:|');
for (const row of rows) {
  console.log(`| ${row.shape} | ${row.roundTrip.toFixed(1)} | ${row.propagation.toFixed(1)} | ${row.worst.toFixed(1)} | ${(row.propagation / row.roundTrip).toFixed(1)}x |`);
}
