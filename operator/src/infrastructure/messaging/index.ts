export { RabbitMqProvisioner, type RabbitMqProvisionerOptions } from './rabbitmq-provisioner.js';
export {
  DEFAULT_MESSAGING_LIMITS,
  tenantVhost,
  type MessagingLimits,
  type MessagingModuleAccount,
  type MessagingSpec,
} from './messaging-spec.js';
export { MONITOR_TAG, NO_PERMISSIONS } from './desired-messaging.js';
