import { SetMetadata } from '@nestjs/common';
import type { ErrorCode } from '@np/contracts';
import type { z } from 'zod';

export const OPERATION = 'np:operation';

/**
 * Describes a route once: the schemas here validate the request (see ValidationInterceptor)
 * and produce the OpenAPI document, so the two cannot disagree.
 */
export interface OperationSpec {
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  errors?: readonly ErrorCode[];
}

export const Operation = (spec: OperationSpec): MethodDecorator => SetMetadata(OPERATION, spec);
