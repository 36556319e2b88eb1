import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { ParsedRequestOf, ReplyOf } from '@np/contracts';
import { BusContext } from '@np/messaging';
import { AuditLog } from './audit/audit-log.js';
import { SettingsService } from './settings-document/settings.service.js';
import { ModuleStatusService } from './status/module-status.js';
import { UsageService } from './usage/usage.service.js';

/** Bodies arrive validated against the module's contracts (admins only, by the gateway's route policy). */
@Controller()
export class BackofficeHandlers {
  constructor(
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(ModuleStatusService) private readonly status: ModuleStatusService,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  @MessagePattern('backoffice.audit.list')
  auditList(@Payload() body: ParsedRequestOf<'backoffice.audit.list'>): Promise<ReplyOf<'backoffice.audit.list'>> {
    return this.audit.list(body);
  }

  @MessagePattern('backoffice.settings.get')
  settingsGet(): Promise<ReplyOf<'backoffice.settings.get'>> {
    return this.settings.get();
  }

  @MessagePattern('backoffice.settings.put')
  settingsPut(@Payload() body: ParsedRequestOf<'backoffice.settings.put'>, @Ctx() ctx: BusContext): Promise<ReplyOf<'backoffice.settings.put'>> {
    return this.settings.put(body.expectedVersion, body.settings, ctx.principal);
  }

  @MessagePattern('backoffice.settings.history')
  settingsHistory(): Promise<ReplyOf<'backoffice.settings.history'>> {
    return this.settings.history();
  }

  @MessagePattern('backoffice.modules.list')
  modules(): Promise<ReplyOf<'backoffice.modules.list'>> {
    return this.status.list();
  }

  @MessagePattern('backoffice.usage.get')
  usagePerMonth(): Promise<ReplyOf<'backoffice.usage.get'>> {
    return this.usage.perMonth();
  }
}
