import type { Tenant, TenantStatus } from '../api/tenant.js';
import type { EventRecorder } from '../runtime/events.js';

/** Tells a person what changed: phase changes, and modules enabled, disabled or removed. */
export async function recordTransitions(events: EventRecorder, tenant: Tenant, next: TenantStatus): Promise<void> {
  const before = tenant.status;
  if (before?.phase !== next.phase) {
    const ready = next.conditions?.find((condition) => condition.type === 'Ready');
    const type = next.phase === 'Degraded' ? 'Warning' : 'Normal';
    await events.record(tenant, type, next.phase ?? 'Unknown', ready?.message ?? '');
  }
  const previous = new Map((before?.modules ?? []).map((module) => [module.name, module.enabled]));
  const current = new Map((next.modules ?? []).map((module) => [module.name, module.enabled]));
  for (const [name, enabled] of current) {
    const was = previous.get(name);
    if (was === undefined || was === enabled) continue;
    await events.record(tenant, 'Normal', enabled ? 'ModuleEnabled' : 'ModuleDisabled', `module ${name} ${enabled ? 'enabled' : 'disabled (scaled to zero, data kept)'}`);
  }
  for (const name of previous.keys()) {
    if (!current.has(name)) await events.record(tenant, 'Normal', 'ModuleRemoved', `module ${name} removed; its objects were pruned`);
  }
}
