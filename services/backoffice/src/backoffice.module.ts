import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxSignal, Transport } from '@np/messaging';
import { type DataServiceDeps, dataServiceProviders } from '@np/runtime';
import { AuditLog } from './audit/audit-log.js';
import { BackofficeHandlers } from './backoffice.handlers.js';
import type { BackofficeSettings } from './settings.js';
import { SettingsService } from './settings-document/settings.service.js';
import { ModuleStatusService, TRANSPORT } from './status/module-status.js';
import { UsageService } from './usage/usage.service.js';

export interface BackofficeModuleDeps extends DataServiceDeps {
  settings: BackofficeSettings;
  outbox: OutboxSignal;
  transport: Transport;
}

@Module({})
export class BackofficeModule {
  static register(deps: BackofficeModuleDeps): DynamicModule {
    return {
      module: BackofficeModule,
      controllers: [BackofficeHandlers],
      providers: [
        ...dataServiceProviders(deps),
        { provide: TRANSPORT, useValue: deps.transport },
        AuditLog,
        SettingsService,
        ModuleStatusService,
        UsageService,
      ],
      exports: [AuditLog],
    };
  }
}
