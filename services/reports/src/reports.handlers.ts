import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { ParsedRequestOf } from '@np/contracts';
import { BusContext } from '@np/messaging';
import type { Dataset, Export, ExportStatus, Report, RunResult, Schedule } from './contracts/index.js';
import { ReportsService } from './definitions/reports.service.js';
import { ExportsService } from './exports/exports.service.js';
import { SchedulesService } from './exports/schedules.service.js';

/** Bodies arrive validated against the module's contracts; each handler is one call into a service. */
@Controller()
export class ReportsHandlers {
  constructor(
    @Inject(ReportsService) private readonly reports: ReportsService,
    @Inject(ExportsService) private readonly exports: ExportsService,
    @Inject(SchedulesService) private readonly schedules: SchedulesService,
  ) {}

  @MessagePattern('reports.datasets.list')
  datasets(): Promise<Dataset[]> {
    return this.reports.datasets();
  }

  @MessagePattern('reports.create')
  create(@Payload() body: ParsedRequestOf<'reports.create'>, @Ctx() ctx: BusContext): Promise<Report> {
    return this.reports.create(body, ctx.principal);
  }

  @MessagePattern('reports.list')
  list(): Promise<{ items: Report[] }> {
    return this.reports.list();
  }

  @MessagePattern('reports.get')
  get(@Payload() body: ParsedRequestOf<'reports.get'>): Promise<Report> {
    return this.reports.get(body.id);
  }

  @MessagePattern('reports.update')
  update(@Payload() body: ParsedRequestOf<'reports.update'>): Promise<Report> {
    return this.reports.update(body.id, body.changes);
  }

  @MessagePattern('reports.delete')
  remove(@Payload() body: ParsedRequestOf<'reports.delete'>): Promise<{ ok: true }> {
    return this.reports.remove(body.id);
  }

  @MessagePattern('reports.run')
  run(@Payload() body: ParsedRequestOf<'reports.run'>): Promise<RunResult> {
    return this.reports.run(body.id);
  }

  @MessagePattern('reports.exports.create')
  createExport(@Payload() body: ParsedRequestOf<'reports.exports.create'>, @Ctx() ctx: BusContext): Promise<{ id: string; status: ExportStatus }> {
    return this.exports.request(body.id, body.format, ctx.principal);
  }

  @MessagePattern('reports.exports.get')
  getExport(@Payload() body: ParsedRequestOf<'reports.exports.get'>): Promise<Export> {
    return this.exports.get(body.exportId);
  }

  @MessagePattern('reports.runs.list')
  runs(@Payload() body: ParsedRequestOf<'reports.runs.list'>): Promise<{ items: Export[] }> {
    return this.exports.runs(body.id);
  }

  @MessagePattern('reports.schedules.create')
  createSchedule(@Payload() body: ParsedRequestOf<'reports.schedules.create'>, @Ctx() ctx: BusContext): Promise<Schedule> {
    return this.schedules.create(body.id, body.schedule, ctx.principal);
  }

  @MessagePattern('reports.schedules.list')
  listSchedules(@Payload() body: ParsedRequestOf<'reports.schedules.list'>): Promise<{ items: Schedule[] }> {
    return this.schedules.list(body.id);
  }

  @MessagePattern('reports.schedules.delete')
  removeSchedule(@Payload() body: ParsedRequestOf<'reports.schedules.delete'>): Promise<{ ok: true }> {
    return this.schedules.remove(body.id, body.scheduleId);
  }
}
