import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxSignal } from '@np/messaging';
import { type DataServiceDeps, dataServiceProviders } from '@np/runtime';
import { accountDirectoryProviders } from './accounts/account-directory-choice.js';
import { UsersRepository } from './profiles/users.repository.js';
import { UsersService } from './profiles/users.service.js';
import type { UsersSettings } from './settings.js';
import { UsersHandlers } from './users.handlers.js';

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
        ...dataServiceProviders(deps),
        ...accountDirectoryProviders(deps.settings),
        UsersRepository,
        UsersService,
      ],
      exports: [UsersService],
    };
  }
}
