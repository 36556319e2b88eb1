import { MODULE_MANIFEST } from './module-manifest.js';

const code = (values: readonly string[]) => (values.length ? values.map((value) => `\`${value}\``).join(', ') : '—');

/** The README's module table, rendered from the manifest (a spec keeps the README equal to it). */
export function renderModuleTable(): string {
  const rows = MODULE_MANIFEST.map((entry) =>
    [
      `\`${entry.name}\``,
      entry.alwaysOn ? 'always on' : 'optional',
      entry.implemented ? `\`services/${entry.name}\`` : 'not yet',
      entry.bus ? `\`${entry.bus.queue}\`` : 'sends only',
      code(entry.events),
      code(entry.permissions),
      entry.schema ? `\`${entry.schema}\`` : '—',
      `\`${entry.image}\`, ${entry.ports.http === null ? '' : `http ${entry.ports.http}, `}ops ${entry.ports.ops}, ${entry.deployment.replicas.min}–${entry.deployment.replicas.max} replicas`,
    ].join(' | '),
  );
  return [
    '| module | runs | service | bus queue | events | permissions | schema | image, ports, replicas (cluster) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
