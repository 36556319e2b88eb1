import { Controller, Get } from '@nestjs/common';
import { discoveryDocumentSchema, jwksSchema } from '@np/contracts';
import { BusClient } from '@np/messaging';
import { Operation } from '../docs/operation.decorator.js';
import { Public } from '../security/route-policy.js';

/** The embedded issuer's OpenID Connect discovery document and signing keys. */
@Controller('.well-known')
export class WellKnownController {
  constructor(private readonly bus: BusClient) {}

  @Get('openid-configuration')
  @Public()
  @Operation({ tag: 'auth', summary: 'OpenID Connect discovery document', response: discoveryDocumentSchema })
  discovery() {
    return this.bus.call('auth.discovery', {});
  }

  @Get('jwks.json')
  @Public()
  @Operation({ tag: 'auth', summary: 'Public keys that sign access tokens', response: jwksSchema })
  jwks() {
    return this.bus.call('auth.jwks', {});
  }
}
