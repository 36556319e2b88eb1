import type { Registry } from 'prom-client';

/** The sum of a metric's samples whose labels include `labels`. */
export async function metricSum(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .filter((sample) => !('metricName' in sample) || sample.metricName === name || sample.metricName === `${name}_count`)
    .reduce((sum, sample) => sum + sample.value, 0);
}
