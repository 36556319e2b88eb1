import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxSignal } from '@np/messaging';
import { type DataServiceDeps, dataServiceProviders } from '@np/runtime';
import { FilesRepository } from './catalog/files.repository.js';
import { FilesService } from './catalog/files.service.js';
import { FilesHandlers } from './files.handlers.js';
import type { FilesSettings } from './settings.js';
import type { StorageDriver } from './storage/storage-driver.js';
import { STORAGE } from './storage/storage-token.js';

export interface FilesModuleDeps extends DataServiceDeps {
  settings: FilesSettings;
  outbox: OutboxSignal;
  storage: StorageDriver;
}

@Module({})
export class FilesModule {
  static register(deps: FilesModuleDeps): DynamicModule {
    return {
      module: FilesModule,
      controllers: [FilesHandlers],
      providers: [
        ...dataServiceProviders(deps),
        { provide: STORAGE, useValue: deps.storage },
        FilesRepository,
        FilesService,
      ],
      exports: [FilesService],
    };
  }
}
