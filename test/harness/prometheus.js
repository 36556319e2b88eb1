// Reading a process's /metrics, shared by the cluster suites and the benchmarks.

/**
 * Sums every sample of metric `name` in Prometheus text, whatever its labels.
 * @param {string} text @param {string} name @returns {number}
 */
export function sumSamples(text, name) {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
}

/** Fetches `/metrics` from a loopback port. @param {number} port @returns {Promise<string>} */
export async function scrape(port) {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}
