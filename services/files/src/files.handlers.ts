import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { ParsedRequestOf, ReplyOf } from '@np/contracts';
import { BusContext } from '@np/messaging';
import { LOGGER } from '@np/runtime';
import type { Logger } from '@np/observability';
import { requirePrincipal } from './catalog/file-access.js';
import { toFileMetadata } from './catalog/file-record.js';
import { FilesService } from './catalog/files.service.js';
import type { StorageDriver } from './storage/storage-driver.js';
import { STORAGE } from './storage/storage-token.js';

/** The metadata routes over the bus; bodies arrive validated against the module's contracts. */
@Controller()
export class FilesHandlers {
  constructor(
    @Inject(FilesService) private readonly files: FilesService,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern('files.list')
  list(@Payload() body: ParsedRequestOf<'files.list'>, @Ctx() ctx: BusContext): Promise<ReplyOf<'files.list'>> {
    return this.files.list(requirePrincipal(ctx.principal), body);
  }

  @MessagePattern('files.get')
  async get(@Payload() body: ParsedRequestOf<'files.get'>, @Ctx() ctx: BusContext): Promise<ReplyOf<'files.get'>> {
    return toFileMetadata(await this.files.get(requirePrincipal(ctx.principal), body.id));
  }

  @MessagePattern('files.update')
  async update(@Payload() body: ParsedRequestOf<'files.update'>, @Ctx() ctx: BusContext): Promise<ReplyOf<'files.update'>> {
    return toFileMetadata(await this.files.update(requirePrincipal(ctx.principal), body));
  }

  @MessagePattern('files.delete')
  async delete(@Payload() body: ParsedRequestOf<'files.delete'>, @Ctx() ctx: BusContext): Promise<ReplyOf<'files.delete'>> {
    const removed = await this.files.delete(requirePrincipal(ctx.principal), body.id);
    // After the commit: bytes left behind by a failure here are unreachable, never a listed file without bytes.
    await this.storage.delete(removed.objectKey).catch((error: unknown) => {
      this.logger.warn({ err: error, id: removed.id }, 'the bytes of a deleted file could not be removed');
    });
    return {};
  }

  @MessagePattern('files.links.create')
  createLink(@Payload() body: ParsedRequestOf<'files.links.create'>, @Ctx() ctx: BusContext): Promise<ReplyOf<'files.links.create'>> {
    return this.files.createLink(requirePrincipal(ctx.principal), body);
  }

  @MessagePattern('files.access.check')
  async accessCheck(@Payload() body: ParsedRequestOf<'files.access.check'>): Promise<ReplyOf<'files.access.check'>> {
    return { files: await this.files.readableBy(body.ids, body.userId) };
  }

  @MessagePattern('files.usage')
  usage(@Ctx() ctx: BusContext): Promise<ReplyOf<'files.usage'>> {
    requirePrincipal(ctx.principal);
    return this.files.usage();
  }

  @MessagePattern('files.upload-grants.create')
  uploadGrant(@Payload() body: ParsedRequestOf<'files.upload-grants.create'>): Promise<ReplyOf<'files.upload-grants.create'>> {
    return this.files.createUploadGrant(body);
  }
}
