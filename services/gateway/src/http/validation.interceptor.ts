import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { parseOrThrow } from '@np/contracts';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { OPERATION, type OperationSpec } from '../docs/operation.decorator.js';

/** Replaces body, query and params with their parsed form, or answers 400 naming each bad field. */
@Injectable()
export class ValidationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<OperationSpec | undefined>(OPERATION, context.getHandler());
    if (spec) {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      if (spec.params) request.params = parseOrThrow(spec.params, request.params ?? {}, 'params');
      if (spec.query) request.query = parseOrThrow(spec.query, request.query ?? {}, 'query');
      if (spec.body) request.body = parseOrThrow(spec.body, request.body ?? {}, 'body');
    }
    return next.handle();
  }
}
