import { type DynamicModule, Module } from '@nestjs/common';
import { BUS_CLIENT, DATABASE, type DataServiceDeps, LOGGER, SETTINGS } from '@np/runtime';
import { FilesHandlers } from './files.handlers.js';
import { ItemsRepository } from './items/items.repository.js';
import { ItemsService } from './items/items.service.js';
import type { FilesSettings } from './settings.js';

export interface FilesModuleDeps extends DataServiceDeps {
  settings: FilesSettings;
}

@Module({})
export class FilesModule {
  static register(deps: FilesModuleDeps): DynamicModule {
    return {
      module: FilesModule,
      controllers: [FilesHandlers],
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
