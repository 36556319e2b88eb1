import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  type CreateUserRequest,
  type ListUsersQuery,
  type UpdateUserRequest,
  createUserRequestSchema,
  listUsersQuerySchema,
  updateUserRequestSchema,
  userIdParamsSchema,
  userListSchema,
  userSchema,
} from '@np/contracts';
import { BusClient } from '@np/messaging';
import { Operation } from '../docs/operation.decorator.js';
import { AccessToken } from '../security/access-token.decorator.js';
import { Authorize, ForModule } from '../security/route-policy.js';

@Controller('v1/users')
@ForModule('users')
export class UsersController {
  constructor(private readonly bus: BusClient) {}

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'users:write' })
  @Operation({ tag: 'users', summary: 'Create a user', body: createUserRequestSchema, response: userSchema, status: 201, errors: ['email_taken', 'forbidden'] })
  create(@Body() body: CreateUserRequest, @AccessToken() token: string) {
    return this.bus.call('users.create', body, { token });
  }

  @Get()
  @Authorize({ permission: 'users:read' })
  @Operation({ tag: 'users', summary: 'List users (cursor pagination, search by email or name)', query: listUsersQuerySchema, response: userListSchema })
  list(@Query() query: ListUsersQuery, @AccessToken() token: string) {
    return this.bus.call('users.list', query, { token });
  }

  @Get(':id')
  @Authorize({ permission: 'users:read', allowSelf: 'id' })
  @Operation({ tag: 'users', summary: 'Read a user', params: userIdParamsSchema, response: userSchema, errors: ['not_found'] })
  get(@Param('id') id: string, @AccessToken() token: string) {
    return this.bus.call('users.get', { id }, { token });
  }

  @Patch(':id')
  @Authorize({ permission: 'users:write', allowSelf: 'id' })
  @Operation({ tag: 'users', summary: 'Update a user (roles: admin only)', params: userIdParamsSchema, body: updateUserRequestSchema, response: userSchema, errors: ['not_found', 'email_taken', 'forbidden'] })
  update(@Param('id') id: string, @Body() changes: UpdateUserRequest, @AccessToken() token: string) {
    return this.bus.call('users.update', { id, changes }, { token });
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize({ permission: 'users:delete' })
  @Operation({ tag: 'users', summary: 'Delete a user', params: userIdParamsSchema, status: 204, errors: ['not_found'] })
  async remove(@Param('id') id: string, @AccessToken() token: string): Promise<void> {
    await this.bus.call('users.delete', { id }, { token });
  }
}
