// `npm run bench:operator` (as root, with the real node): scaling with traffic through KEDA.
//   1. Cold start: BENCH_WAKES (20) times, the form builder is left to sleep at zero pods, then one
//      submission is sent through the ingress; the time from sending to its 201 (p50, p99), against
//      the same submission to the module awake, measured in the same run (the baseline).
//   2. A burst of BENCH_BURST (1000) submissions sent at once to the module at zero: time until the
//      last is answered, with scale-out (replicas 0..3) and without it (0..1), the ratio between them,
//      the most replicas seen, and requests lost (sent but not answered 201, or not stored): must be 0.
// The Tenant has deletionPolicy Delete and is deleted at the end, also on failure.
import { execFileSync } from 'node:child_process';
import { ingressFetch } from '../test/harness/ingress-fetch.js';
import { waitUntil } from '../test/harness/child-process.js';
import { cleanupAll, median, onCleanup, progress, requestBase } from './support.js';

const WAKES = Number(process.env.BENCH_WAKES ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const IDLE = process.env.BENCH_IDLE ?? '10s';
const NAME = 'bench-sleepy';
const HOST = `${NAME}.example.com`;
const NAMESPACE = `tenant-${NAME}`;
const MODULE = 'form-builder';
const INGRESS_URL = process.env.NP_INGRESS_URL;
if (!INGRESS_URL) throw new Error('NP_INGRESS_URL is not set: run `npm run bench:operator` as root, which starts the real node');
const viaIngress = ingressFetch(INGRESS_URL);

const kubectl = (args, input) =>
  execFileSync(process.env.NP_KUBECTL, ['--kubeconfig', process.env.KUBECONFIG, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
const json = (args) => JSON.parse(kubectl([...args, '-o', 'json']));

function spec(maxReplicas) {
  return {
    adminEmail: `admin@${HOST}`,
    ingress: { host: HOST },
    deletionPolicy: 'Delete',
    rateLimits: { perAddressPerMinute: 10_000_000, perUserPerMinute: 10_000_000 },
    modules: [{ name: MODULE, replicas: { min: 0, max: maxReplicas }, autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: IDLE } }],
  };
}

function applyTenant(maxReplicas) {
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name: NAME }, spec: spec(maxReplicas) }));
}

const replicas = () => json(['-n', NAMESPACE, 'get', 'deployment', MODULE]).spec?.replicas ?? 0;
const pods = () => json(['-n', NAMESPACE, 'get', 'pods', '-l', `platform.np.dev/module=${MODULE}`]).items.filter((pod) => !pod.metadata.deletionTimestamp).length;

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

async function main() {
  onCleanup(`Tenant ${NAME}`, () => kubectl(['delete', 'tenant', NAME, '--ignore-not-found', '--wait=true', '--timeout=180s']));
  applyTenant(3);
  progress(`Tenant ${NAME}: ${MODULE} sleeps after ${IDLE} idle, 5 queued requests per replica, at most 3`);
  let session;
  const base = requestBase({ url: INGRESS_URL, host: HOST });
  // Until the Tenant is Ready its Secret is missing and the login fails: waitUntil retries and names the last error.
  // Realm tokens live 5 minutes: the bench logs in again before each measurement.
  const login = () => waitUntil('a login through the ingress', async () => {
    const secret = json(['-n', NAMESPACE, 'get', 'secret', 'initial-admin']);
    const admin = Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
    // Only the login: /v1/auth/me would need the users module, which this Tenant does not have.
    const answer = await viaIngress(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: admin.email, password: admin.password }) });
    if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${await answer.text()}`);
    session = { token: (await answer.json()).access_token };
    return true;
  }, 300_000);
  await login();
  const call = (method, path, body) =>
    viaIngress(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${session.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
    });
  const created = await call('POST', '/v1/forms', { name: 'Bench wake-up', dataSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false } });
  if (created.status !== 201) throw new Error(`creating the form answered ${created.status}: ${await created.text()}`);
  const form = await created.json();
  const published = await call('POST', `/v1/forms/${form.id}/versions`);
  if (published.status !== 201) throw new Error(`publishing the form answered ${published.status}: ${await published.text()}`);
  const submit = async (n) => {
    const started = performance.now();
    const answer = await call('POST', `/v1/forms/${form.id}/submissions`, { data: { n } });
    const body = await answer.json().catch(() => ({}));
    return { ms: performance.now() - started, status: answer.status, id: body.id };
  };
  const asleep = () => waitUntil(`${MODULE} at zero pods`, () => replicas() === 0 && pods() === 0, 300_000);

  const warm = [];
  const cold = [];
  let sent = 0;
  let answered = 0;
  for (let wake = 0; wake < WAKES; wake += 1) {
    await asleep();
    await login();
    const first = await submit(sent++);
    if (first.status === 201) answered += 1;
    cold.push(first.ms);
    // The baseline: the same request to the module now awake.
    for (let index = 0; index < 5; index += 1) {
      const again = await submit(sent++);
      if (again.status === 201) answered += 1;
      warm.push(again.ms);
    }
    progress(`wake ${wake + 1}/${WAKES}: ${first.status} in ${first.ms.toFixed(0)} ms (awake: ${median(warm.slice(-5)).toFixed(0)} ms)`);
  }

  const bursts = {};
  for (const [label, max] of [['with scale-out (0..3)', 3], ['without scale-out (0..1)', 1]]) {
    applyTenant(max);
    await asleep();
    await login();
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, replicas());
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: BURST }, () => submit(sent++)));
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    const ok = answers.filter((answer) => answer.status === 201);
    answered += ok.length;
    bursts[label] = { seconds, most, lost: BURST - ok.length, statuses: [...new Set(answers.map((answer) => answer.status))] };
    progress(`burst ${label}: ${BURST} in ${seconds.toFixed(1)} s, most replicas ${most}, not answered 201: ${BURST - ok.length}`);
  }

  // Every 201 is a stored submission: count them.
  let stored = 0;
  let cursor;
  do {
    const page = await (await call('GET', `/v1/forms/${form.id}/submissions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json();
    stored += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  const p50 = percentile(cold, 0.5);
  const p99 = percentile(cold, 0.99);
  const warmP50 = percentile(warm, 0.5);
  console.log('\n| measure | result | baseline (same run) | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| cold start from zero, p50 (${WAKES} wakes) | ${(p50 / 1000).toFixed(2)} s | awake p50 ${warmP50.toFixed(0)} ms | ${(p50 / warmP50).toFixed(0)}x |`);
  console.log(`| cold start from zero, p99 (aim <= 5 s) | ${(p99 / 1000).toFixed(2)} s | awake p99 ${percentile(warm, 0.99).toFixed(0)} ms | ${(p99 / percentile(warm, 0.99)).toFixed(0)}x |`);
  const out = bursts['with scale-out (0..3)'];
  const single = bursts['without scale-out (0..1)'];
  console.log(`| ${BURST} queued requests drained, with scale-out | ${out.seconds.toFixed(1)} s (most replicas ${out.most}) | without: ${single.seconds.toFixed(1)} s (most ${single.most}) | ${(single.seconds / out.seconds).toFixed(2)}x faster |`);
  console.log(`| requests lost (must be 0) | ${sent - answered} of ${sent} not answered 201; ${answered - stored} answered but not stored | | |`);
}

try {
  await main();
} finally {
  await cleanupAll();
}
