import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  type LoginRequest,
  type RefreshRequest,
  loginRequestSchema,
  logoutRequestSchema,
  meResponseSchema,
  refreshRequestSchema,
  tokenPairSchema,
} from '@np/contracts';
import { BusClient } from '@np/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Operation } from '../docs/operation.decorator.js';
import { AccessToken } from '../security/access-token.decorator.js';
import { Authorize, Public } from '../security/route-policy.js';

@Controller('v1/auth')
export class AuthController {
  constructor(private readonly bus: BusClient) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @Operation({ tag: 'auth', summary: 'Log in with email and password', body: loginRequestSchema, response: tokenPairSchema, errors: ['invalid_credentials', 'login_throttled'] })
  login(@Body() body: LoginRequest, @Req() request: FastifyRequest) {
    return this.bus.call('auth.login', { ...body, ip: request.ip });
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @Operation({ tag: 'auth', summary: 'Exchange a refresh token for a new token pair', body: refreshRequestSchema, response: tokenPairSchema, errors: ['refresh_token_invalid', 'refresh_token_reused'] })
  refresh(@Body() body: RefreshRequest) {
    return this.bus.call('auth.refresh', body);
  }

  @Post('logout')
  @HttpCode(200)
  @Public()
  @Operation({ tag: 'auth', summary: 'Revoke a refresh token and its family', body: logoutRequestSchema, response: z.object({ ok: z.literal(true) }) })
  logout(@Body() body: RefreshRequest) {
    return this.bus.call('auth.logout', body);
  }

  @Get('me')
  @Authorize()
  @Operation({ tag: 'auth', summary: 'The caller, as the issuer knows them', response: meResponseSchema })
  me(@AccessToken() token: string) {
    return this.bus.call('auth.me', {}, { token });
  }
}
