import type { PipeTransform } from '@nestjs/common';
import { parseOrThrow } from '@np/contracts';
import type { z } from 'zod';

/** Validates one request part against its contract schema; unknown fields are refused by the schemas. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly where: 'body' | 'query' | 'params',
  ) {}

  transform(value: unknown): z.output<S> {
    return parseOrThrow(this.schema, value ?? {}, this.where);
  }
}
