/** Injection tokens for what the runtime hands every service; one place so no service invents its own. */
export const DATABASE = Symbol('np.database');
export const BUS_CLIENT = Symbol('np.bus-client');
export const LOGGER = Symbol('np.logger');
export const OUTBOX = Symbol('np.outbox');
export const SETTINGS = Symbol('np.settings');
