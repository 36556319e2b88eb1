import { type DynamicModule, Module } from '@nestjs/common';
import type { BusClient } from '@np/messaging';
import type { Database } from '@np/persistence';
import { BUS_CLIENT, DATABASE, type DataServiceDeps, LOGGER, OUTBOX, SETTINGS } from '@np/runtime';
import { busCredentials } from './credentials.js';
import type { OutboxSignal } from '@np/messaging';
import type { UsersSettings } from './settings.js';
import { UsersHandlers } from './users.handlers.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

export interface UsersModuleDeps extends DataServiceDeps {
  settings: UsersSettings;
  /** Woken after each commit that wrote an event. */
  outbox: OutboxSignal;
}

@Module({})
export class UsersModule {
  static register(deps: UsersModuleDeps): DynamicModule {
    return {
      module: UsersModule,
      controllers: [UsersHandlers],
      providers: [
        { provide: DATABASE, useValue: deps.db },
        { provide: BUS_CLIENT, useValue: deps.bus },
        { provide: LOGGER, useValue: deps.logger },
        { provide: SETTINGS, useValue: deps.settings },
        { provide: OUTBOX, useValue: deps.outbox },
        {
          provide: UsersRepository,
          useFactory: (db: Database, settings: UsersSettings) => new UsersRepository(db, settings.NP_USERS_SCHEMA),
          inject: [DATABASE, SETTINGS],
        },
        {
          provide: UsersService,
          useFactory: (repository: UsersRepository, bus: BusClient, outbox: OutboxSignal) =>
            new UsersService(repository, busCredentials(bus), outbox),
          inject: [UsersRepository, BUS_CLIENT, OUTBOX],
        },
      ],
      exports: [UsersService],
    };
  }
}
