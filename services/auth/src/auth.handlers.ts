import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { AppError, type EventPayloadOf, type ParsedRequestOf, type ReplyOf } from '@np/contracts';
import { BusContext, type EventEnvelope } from '@np/messaging';
import { UserDeletedConsumer } from './events/user-deleted.consumer.js';
import { UserUpdatedConsumer } from './events/user-updated.consumer.js';
import { IDENTITY_PROVIDER, type IdentityProvider } from './identity/identity-provider.js';
import { LoginService } from './login/login.service.js';
import { RevocationRecorder } from './revocations/revocation-recorder.js';
import { type IdentityLookup, UsersIdentityLookup } from './users/identity-lookup.js';

type DeliveredEvent<P> = Omit<EventEnvelope, 'payload'> & { payload: P };

const OK = { ok: true } as const;

/** The auth module's bus surface; each handler hands over to one service, most to the identity provider. */
@Controller()
export class AuthHandlers {
  constructor(
    @Inject(LoginService) private readonly logins: LoginService,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
    @Inject(UsersIdentityLookup) private readonly identities: IdentityLookup,
    @Inject(UserDeletedConsumer) private readonly userDeleted: UserDeletedConsumer,
    @Inject(UserUpdatedConsumer) private readonly userUpdated: UserUpdatedConsumer,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
  ) {}

  @MessagePattern('auth.login')
  login(@Payload() body: ParsedRequestOf<'auth.login'>): Promise<ReplyOf<'auth.login'>> {
    return this.logins.login(body);
  }

  @MessagePattern('auth.refresh')
  refresh(@Payload() body: ParsedRequestOf<'auth.refresh'>): Promise<ReplyOf<'auth.refresh'>> {
    return this.provider.refresh(body.refresh_token);
  }

  @MessagePattern('auth.logout')
  async logout(@Payload() body: ParsedRequestOf<'auth.logout'>): Promise<ReplyOf<'auth.logout'>> {
    await this.provider.signOut(body.refresh_token);
    return OK;
  }

  @MessagePattern('auth.me')
  async me(@Ctx() ctx: BusContext): Promise<ReplyOf<'auth.me'>> {
    const principal = ctx.principal;
    if (!principal) throw new AppError('token_missing', 'This call needs an authenticated caller.');
    const identity = await this.identities.byId(principal.sub);
    if (!identity) throw new AppError('token_invalid', 'The token names a user that no longer exists.');
    return { id: identity.id, email: identity.email, displayName: identity.displayName, roles: identity.roles };
  }

  @MessagePattern('auth.jwks')
  jwks(): Promise<ReplyOf<'auth.jwks'>> {
    return this.provider.jwks();
  }

  @MessagePattern('auth.discovery')
  discovery(): Promise<ReplyOf<'auth.discovery'>> {
    return this.provider.discovery();
  }

  @MessagePattern('auth.credentials.set')
  async setCredentials(@Payload() body: ParsedRequestOf<'auth.credentials.set'>): Promise<ReplyOf<'auth.credentials.set'>> {
    await this.provider.setPassword(body.userId, body.password, body.keepSessionId);
    return OK;
  }

  @MessagePattern('auth.credentials.verify')
  async verifyCredentials(@Payload() body: ParsedRequestOf<'auth.credentials.verify'>): Promise<ReplyOf<'auth.credentials.verify'>> {
    await this.provider.confirmPassword(body.userId, body.password);
    return OK;
  }

  @MessagePattern('auth.revocations.list')
  revocationList(): Promise<ReplyOf<'auth.revocations.list'>> {
    return this.revocations.active(new Date());
  }

  @EventPattern('users.user.deleted')
  async onUserDeleted(@Payload() event: DeliveredEvent<EventPayloadOf<'users.user.deleted'>>): Promise<void> {
    await this.userDeleted.handle(event.id, event.payload.id);
  }

  @EventPattern('users.user.updated')
  async onUserUpdated(@Payload() event: DeliveredEvent<EventPayloadOf<'users.user.updated'>>): Promise<void> {
    const { user, changed, endedSessions } = event.payload;
    await this.userUpdated.handle(event.id, { userId: user.id, changed, endedSessions });
  }
}
