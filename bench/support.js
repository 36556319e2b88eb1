// What the request benchmarks share: the cleanup registry, progress lines, the load (autocannon),
// the one check before it, medians and the results table.
import autocannon from 'autocannon';

export const progress = (message) => console.log(`[bench] ${message}`);

// ---- cleanup registry: everything started is undone in reverse order, even on failure ----------
const cleanups = [];

/** Registers how to undo something just started. */
export function onCleanup(what, undo) {
  cleanups.push({ what, undo });
}

export async function cleanupAll() {
  while (cleanups.length > 0) {
    const { what, undo } = cleanups.pop();
    try {
      await undo();
    } catch (error) {
      console.error(`  cleanup of ${what} failed: ${error.message}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    cleanupAll().finally(() => process.exit(130));
  });
}

// ---- the session and the load ------------------------------------------------------------------
/** Logs in and finds the user's id: the session every request of the load carries. */
export async function loginSession(target, credentials) {
  const call = target.fetch ?? fetch;
  const base = requestBase(target);
  const login = await call(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  const { access_token: accessToken } = await login.json();
  if (!accessToken) throw new Error('login answered no access_token');
  const me = await call(`${base}/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (me.status !== 200) throw new Error(`/v1/auth/me answered ${me.status}: ${await me.text()}`);
  const { id } = await me.json();
  return { token: accessToken, id, email: credentials.email };
}

/**
 * @typedef {object} Target where the load goes
 * @property {string} url the address connected to
 * @property {string} [host] the Host header, when it is not the url's (an ingress)
 * @property {typeof fetch} [fetch] for the single requests, when plain fetch cannot reach it (a
 *   fetch that sends every host name to the ingress)
 * @typedef {{ token: string, id: string, email: string }} Session
 * @typedef {{ seconds: number, warmupSeconds: number, connections: number }} LoadOptions
 */

/** @param {Target} target @param {Session} session */
function headers(target, session) {
  return { authorization: `Bearer ${session.token}`, ...(target.host ? { host: target.host } : {}) };
}

/** The base URL single requests use: the host's own name when it is reached through an ingress. */
export function requestBase(target) {
  return target.host ? `http://${target.host}:${new URL(target.url).port}` : target.url;
}

/** One request before the load: the target must answer 200 with the session's user. */
export async function checkOnce(name, target, session) {
  const response = await (target.fetch ?? fetch)(`${requestBase(target)}/v1/users/${session.id}`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${name}: GET /v1/users/:id answered ${response.status}: ${body}`);
  const user = JSON.parse(body);
  if (user.id !== session.id || user.email !== session.email) throw new Error(`${name}: unexpected body ${body}`);
  return user;
}

function load(target, session, seconds, connections) {
  return autocannon({
    url: `${target.url}/v1/users/${session.id}`,
    method: 'GET',
    headers: headers(target, session),
    connections,
    duration: seconds,
  });
}

/** @param {string} name @param {Target} target @param {Session} session @param {LoadOptions} options */
export async function measure(name, target, session, options) {
  await checkOnce(name, target, session);
  if (options.warmupSeconds > 0) {
    progress(`${name}: warm-up ${options.warmupSeconds} s`);
    await load(target, session, options.warmupSeconds, options.connections);
  }
  progress(`${name}: measuring ${options.seconds} s, ${options.connections} connections`);
  const result = await load(target, session, options.seconds, options.connections);
  const responses = result.requests.total;
  const failures = result.non2xx + result.errors + result.timeouts;
  const row = {
    target: name,
    rps: responses / (result.duration || options.seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    responses,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    errorRate: failures / Math.max(1, responses + result.errors + result.timeouts),
  };
  progress(`${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.non2xx} non-2xx, ${row.errors} errors`);
  return row;
}

// ---- figures ----------------------------------------------------------------------------------------
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The medians of a target's rounds; errors are summed, so none hides behind a median. */
export function medianRow(target, runs) {
  return {
    target,
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    responses: runs.reduce((sum, run) => sum + run.responses, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    errorRate: Math.max(...runs.map((run) => run.errorRate)),
  };
}

/** Rows of one target against two baselines, measured round by round: medians and per-round ratios. */
export function compareRuns(names, runs) {
  const ratios = (against) => runs.platform.map((run, index) => run.rps / against[index].rps);
  const row = medianRow(names.platform, runs.platform);
  row.ratio = median(ratios(runs.baseline));
  row.ratioCached = median(ratios(runs.cached));
  row.ratios = ratios(runs.cached);
  return [medianRow(names.baseline, runs.baseline), medianRow(names.cached, runs.cached), row];
}

export function printTable(rows) {
  const header = ['target', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs baseline', 'vs cached baseline'];
  const lines = rows.map((r) => [
    r.target,
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p99),
    String(r.non2xx),
    String(r.errors),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.ratioCached === undefined ? '' : `${r.ratioCached.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(format(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const line of lines) console.log(format(line));
  console.log('');
}

/** Prints each row's aim and error rate; true when a row failed (more errors than `maxErrorRate`). */
export function reportRows(rows, maxErrorRate) {
  let failed = false;
  for (const row of rows) {
    if (row.ratio !== undefined) {
      // The aims are set against the bare baseline; the cached one shows what remains once both
      // skip the repeated signature check.
      const met = row.aim === undefined || row.ratio >= row.aim;
      console.log(
        `${row.aim === undefined ? row.target : `aim ${row.target} >= ${row.aim}x baseline: ${met ? 'met' : 'NOT met'}`} (median ${row.ratio.toFixed(2)}x); ` +
          `vs the cached baseline ${row.ratioCached.toFixed(2)}x (rounds ${row.ratios.map((ratio) => `${ratio.toFixed(2)}x`).join(', ')})`,
      );
    }
    if (row.errorRate > maxErrorRate) {
      console.error(`FAIL ${row.target}: ${(row.errorRate * 100).toFixed(2)}% errors (non-2xx ${row.non2xx}, errors ${row.errors}) > ${maxErrorRate * 100}%`);
      failed = true;
    }
  }
  return failed;
}
