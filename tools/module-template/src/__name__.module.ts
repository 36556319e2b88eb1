import { type DynamicModule, Module } from '@nestjs/common';
import { type DataServiceDeps, dataServiceProviders } from '@np/runtime';
import { __Name__Handlers } from './__name__.handlers.js';
import { ItemsRepository } from './items/items.repository.js';
import { ItemsService } from './items/items.service.js';
import type { __Name__Settings } from './settings.js';

export interface __Name__ModuleDeps extends DataServiceDeps {
  settings: __Name__Settings;
}

@Module({})
export class __Name__Module {
  static register(deps: __Name__ModuleDeps): DynamicModule {
    return {
      module: __Name__Module,
      controllers: [__Name__Handlers],
      providers: [
        ...dataServiceProviders(deps),
        ItemsRepository,
        ItemsService,
      ],
    };
  }
}
