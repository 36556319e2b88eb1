export * from './api/tenant.js';
export * from './settings.js';
export * from './operator.js';
export { planTenant, tenantNamespace, type TenantPlan, type ModulePlan } from './tenant/tenant-plan.js';
export { renderTenant, type DesiredState } from './tenant/render/desired-state.js';
export { TenantController, CONTROLLER_NAME } from './tenant/tenant-controller.js';
export { FIELD_MANAGER, FINALIZER, TENANT_LABEL, MODULE_LABEL, MANAGED_SELECTOR } from './tenant/labels.js';
