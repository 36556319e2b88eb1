import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { ParsedRequestOf } from '@np/contracts';
import { BusContext } from '@np/messaging';
import type { Item } from './contracts/index.js';
import { ItemsService } from './items/items.service.js';

/** Bodies arrive validated against the module's contracts; each handler is one call into a service. */
@Controller()
export class BackofficeHandlers {
  constructor(@Inject(ItemsService) private readonly items: ItemsService) {}

  @MessagePattern('backoffice.items.create')
  create(@Payload() body: ParsedRequestOf<'backoffice.items.create'>, @Ctx() ctx: BusContext): Promise<Item> {
    return this.items.create(body, ctx.principal);
  }

  @MessagePattern('backoffice.items.get')
  get(@Payload() body: ParsedRequestOf<'backoffice.items.get'>): Promise<Item> {
    return this.items.get(body.id);
  }
}
