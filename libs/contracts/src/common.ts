import { z } from 'zod';

export const uuidSchema = z.uuid();

export const ROLES = ['admin', 'manager', 'member'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Who made a request, as the gateway established it from a verified token. */
export const principalSchema = z.object({
  sub: z.uuid(),
  tenant: z.string(),
  roles: z.array(roleSchema),
});
export type Principal = z.infer<typeof principalSchema>;

/** An email address, trimmed and compared case-insensitively everywhere. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((value) => value.toLowerCase());

export const passwordSchema = z.string().min(8).max(256);
