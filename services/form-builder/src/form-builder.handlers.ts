import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { MessagePattern as BusPattern, ParsedRequestOf, ReplyOf } from '@np/contracts';
import { BusContext } from '@np/messaging';
import { requirePrincipal } from './forms/form-access.js';
import { FormsService } from './forms/forms.service.js';
import { PublicRateLimit } from './submissions/public-rate-limit.js';
import { SubmissionsService } from './submissions/submissions.service.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

type Reply<P extends BusPattern> = Promise<ReplyOf<P>>;

/** Bodies arrive validated against the module's contracts; each handler is one call into a service. */
@Controller()
export class FormBuilderHandlers {
  constructor(
    @Inject(FormsService) private readonly forms: FormsService,
    @Inject(SubmissionsService) private readonly submissions: SubmissionsService,
    @Inject(WebhooksService) private readonly webhooks: WebhooksService,
    @Inject(PublicRateLimit) private readonly publicRateLimit: PublicRateLimit,
  ) {}

  @MessagePattern('form-builder.forms.create')
  create(@Payload() body: ParsedRequestOf<'form-builder.forms.create'>, @Ctx() ctx: BusContext): Reply<'form-builder.forms.create'> {
    return this.forms.create(requirePrincipal(ctx.principal), body);
  }

  @MessagePattern('form-builder.forms.update')
  update(@Payload() body: ParsedRequestOf<'form-builder.forms.update'>, @Ctx() ctx: BusContext): Reply<'form-builder.forms.update'> {
    requirePrincipal(ctx.principal);
    return this.forms.update(body);
  }

  @MessagePattern('form-builder.forms.list')
  list(@Payload() body: ParsedRequestOf<'form-builder.forms.list'>, @Ctx() ctx: BusContext): Reply<'form-builder.forms.list'> {
    requirePrincipal(ctx.principal);
    return this.forms.list(body);
  }

  @MessagePattern('form-builder.forms.get')
  get(@Payload() body: ParsedRequestOf<'form-builder.forms.get'>, @Ctx() ctx: BusContext): Reply<'form-builder.forms.get'> {
    requirePrincipal(ctx.principal);
    return this.forms.get(body.id);
  }

  @MessagePattern('form-builder.forms.archive')
  async archive(@Payload() body: ParsedRequestOf<'form-builder.forms.archive'>, @Ctx() ctx: BusContext): Reply<'form-builder.forms.archive'> {
    requirePrincipal(ctx.principal);
    await this.forms.archive(body.id);
    return {};
  }

  @MessagePattern('form-builder.versions.publish')
  publish(@Payload() body: ParsedRequestOf<'form-builder.versions.publish'>, @Ctx() ctx: BusContext): Reply<'form-builder.versions.publish'> {
    return this.forms.publish(requirePrincipal(ctx.principal), body.id);
  }

  @MessagePattern('form-builder.versions.get')
  version(@Payload() body: ParsedRequestOf<'form-builder.versions.get'>, @Ctx() ctx: BusContext): Reply<'form-builder.versions.get'> {
    return this.forms.getVersion(requirePrincipal(ctx.principal), body.id, body.version);
  }

  @MessagePattern('form-builder.versions.public')
  publicVersion(@Payload() body: ParsedRequestOf<'form-builder.versions.public'>): Reply<'form-builder.versions.public'> {
    return this.forms.publicVersion(body.id);
  }

  @MessagePattern('form-builder.submissions.create')
  submit(@Payload() body: ParsedRequestOf<'form-builder.submissions.create'>, @Ctx() ctx: BusContext): Reply<'form-builder.submissions.create'> {
    return this.submissions.create(requirePrincipal(ctx.principal), body);
  }

  @MessagePattern('form-builder.submissions.create-public')
  async submitPublic(@Payload() body: ParsedRequestOf<'form-builder.submissions.create-public'>): Reply<'form-builder.submissions.create-public'> {
    await this.publicRateLimit.consume(body.ip);
    return this.submissions.create(undefined, { formId: body.formId, data: body.data, state: body.state });
  }

  @MessagePattern('form-builder.submissions.update')
  updateSubmission(@Payload() body: ParsedRequestOf<'form-builder.submissions.update'>, @Ctx() ctx: BusContext): Reply<'form-builder.submissions.update'> {
    return this.submissions.update(requirePrincipal(ctx.principal), body);
  }

  @MessagePattern('form-builder.submissions.list')
  submissionsOf(@Payload() body: ParsedRequestOf<'form-builder.submissions.list'>, @Ctx() ctx: BusContext): Reply<'form-builder.submissions.list'> {
    requirePrincipal(ctx.principal);
    return this.submissions.list(body);
  }

  @MessagePattern('form-builder.submissions.get')
  submission(@Payload() body: ParsedRequestOf<'form-builder.submissions.get'>, @Ctx() ctx: BusContext): Reply<'form-builder.submissions.get'> {
    return this.submissions.get(requirePrincipal(ctx.principal), body.id);
  }

  @MessagePattern('form-builder.webhooks.create')
  createWebhook(@Payload() body: ParsedRequestOf<'form-builder.webhooks.create'>, @Ctx() ctx: BusContext): Reply<'form-builder.webhooks.create'> {
    requirePrincipal(ctx.principal);
    return this.webhooks.create(body);
  }

  @MessagePattern('form-builder.webhooks.list')
  webhooksOf(@Payload() body: ParsedRequestOf<'form-builder.webhooks.list'>, @Ctx() ctx: BusContext): Reply<'form-builder.webhooks.list'> {
    requirePrincipal(ctx.principal);
    return this.webhooks.list(body.id);
  }

  @MessagePattern('form-builder.webhooks.delete')
  async deleteWebhook(@Payload() body: ParsedRequestOf<'form-builder.webhooks.delete'>, @Ctx() ctx: BusContext): Reply<'form-builder.webhooks.delete'> {
    requirePrincipal(ctx.principal);
    await this.webhooks.remove(body);
    return {};
  }

  @MessagePattern('form-builder.deliveries.list')
  deliveries(@Payload() body: ParsedRequestOf<'form-builder.deliveries.list'>, @Ctx() ctx: BusContext): Reply<'form-builder.deliveries.list'> {
    requirePrincipal(ctx.principal);
    return this.webhooks.deliveries(body);
  }

  @MessagePattern('form-builder.deliveries.redeliver')
  redeliver(@Payload() body: ParsedRequestOf<'form-builder.deliveries.redeliver'>, @Ctx() ctx: BusContext): Reply<'form-builder.deliveries.redeliver'> {
    requirePrincipal(ctx.principal);
    return this.webhooks.redeliver(body);
  }
}
