import { describe, expect, it } from '@jest/globals';
import { planTenant } from '../tenant-plan.js';
import { renderSettings, tenant } from '../test-tenant.js';
import { renderModuleStatusConfig } from './module-status.js';

describe('the module status ConfigMap', () => {
  it('holds the modules\' status as JSON, owned by the Tenant, with no timestamp that would rewrite it on every reconcile', () => {
    const plan = planTenant(tenant({ modules: [{ name: 'users' }] }), renderSettings);
    const modules = [{ name: 'users' as const, enabled: true, desired: 1, ready: 1 }];
    const config = renderModuleStatusConfig(plan, modules) as { data: Record<string, string>; metadata: { namespace: string; ownerReferences: unknown[] } };
    expect(JSON.parse(config.data['modules.json']!)).toEqual({ modules });
    expect(config.metadata.namespace).toBe(plan.namespace);
    expect(config.metadata.ownerReferences).toHaveLength(1);
    expect(renderModuleStatusConfig(plan, modules)).toEqual(config);
  });
});
