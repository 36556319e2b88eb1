import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { ParsedRequestOf } from '@np/contracts';
import type { Identity, User, UserList } from './contracts/index.js';
import { BusContext } from '@np/messaging';
import { UsersService } from './profiles/users.service.js';

/** Bodies arrive validated against `@np/contracts`; each handler is one call into the service. */
@Controller()
export class UsersHandlers {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @MessagePattern('users.create')
  create(@Payload() body: ParsedRequestOf<'users.create'>, @Ctx() ctx: BusContext): Promise<User> {
    return this.users.create(body, ctx.principal);
  }

  @MessagePattern('users.get')
  get(@Payload() body: ParsedRequestOf<'users.get'>, @Ctx() ctx: BusContext): Promise<User> {
    return this.users.get(body.id, ctx.principal);
  }

  @MessagePattern('users.update')
  update(@Payload() body: ParsedRequestOf<'users.update'>, @Ctx() ctx: BusContext): Promise<User> {
    return this.users.update(body, ctx.principal);
  }

  @MessagePattern('users.delete')
  delete(@Payload() body: ParsedRequestOf<'users.delete'>, @Ctx() ctx: BusContext): Promise<{ ok: true }> {
    return this.users.delete(body.id, ctx.principal);
  }

  @MessagePattern('users.list')
  list(@Payload() body: ParsedRequestOf<'users.list'>, @Ctx() ctx: BusContext): Promise<UserList> {
    return this.users.list(body, ctx.principal);
  }

  @MessagePattern('users.identity.by-email')
  identityByEmail(@Payload() body: ParsedRequestOf<'users.identity.by-email'>): Promise<Identity> {
    return this.users.identityByEmail(body.email);
  }

  @MessagePattern('users.identity.by-id')
  identityById(@Payload() body: ParsedRequestOf<'users.identity.by-id'>): Promise<Identity> {
    return this.users.identityById(body.id);
  }
}
