import { z } from 'zod';

/** Reusable setting validators, so every service reads the same kind of value the same way. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * A comma-separated list. An empty variable counts as unset (the fallback applies), so `none`
 * spells the empty list.
 */
export const list = <T extends string>(item: z.ZodType<T, string>, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => (value.trim() === 'none' ? [] : value.split(',').map((part) => part.trim()).filter((part) => part.length > 0)))
    .pipe(z.array(item));

export const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${protocols.join(' or ')}`);

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
