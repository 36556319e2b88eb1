import { type DynamicModule, Module } from '@nestjs/common';
import { BUS_CLIENT, DATABASE, type DataServiceDeps, LOGGER, SETTINGS } from '@np/runtime';
import { BackofficeHandlers } from './backoffice.handlers.js';
import { ItemsRepository } from './items/items.repository.js';
import { ItemsService } from './items/items.service.js';
import type { BackofficeSettings } from './settings.js';

export interface BackofficeModuleDeps extends DataServiceDeps {
  settings: BackofficeSettings;
}

@Module({})
export class BackofficeModule {
  static register(deps: BackofficeModuleDeps): DynamicModule {
    return {
      module: BackofficeModule,
      controllers: [BackofficeHandlers],
      providers: [
        { provide: DATABASE, useValue: deps.db },
        { provide: BUS_CLIENT, useValue: deps.bus },
        { provide: LOGGER, useValue: deps.logger },
        { provide: SETTINGS, useValue: deps.settings },
        ItemsRepository,
        ItemsService,
      ],
    };
  }
}
