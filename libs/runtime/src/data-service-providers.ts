import type { Provider } from '@nestjs/common';
import type { OutboxSignal } from '@np/messaging';
import type { DataServiceDeps } from './service-deps.js';
import { BUS_CLIENT, DATABASE, LOGGER, OUTBOX, SETTINGS } from './tokens.js';

/** What every data service's Nest module hands its own classes. */
export interface DataServiceProvided extends Pick<DataServiceDeps, 'db' | 'bus' | 'logger'> {
  settings: object;
  /** The outbox relay's wake-up, for a service that publishes events. */
  outbox?: OutboxSignal;
}

/**
 * The providers of a data service's module: its database, bus client, logger and settings under
 * the runtime's tokens, and its outbox signal when it has one. A module lists its own classes
 * after them.
 */
export function dataServiceProviders(deps: DataServiceProvided): Provider[] {
  return [
    { provide: DATABASE, useValue: deps.db },
    { provide: BUS_CLIENT, useValue: deps.bus },
    { provide: LOGGER, useValue: deps.logger },
    { provide: SETTINGS, useValue: deps.settings },
    ...(deps.outbox === undefined ? [] : [{ provide: OUTBOX, useValue: deps.outbox }]),
  ];
}
