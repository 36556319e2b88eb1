import { MODULE_NAMES, type ModuleName } from '@np/modules';
import { z } from 'zod';

export const uuidSchema = z.uuid();

export const ROLES = ['admin', 'manager', 'member'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Who made a request, as established from a verified access token (by the gateway and again by the receiving service). */
export const principalSchema = z.object({
  sub: z.uuid(),
  tenant: z.string(),
  roles: z.array(roleSchema),
  /** The session (refresh-token family) the token belongs to; revoked sessions are refused. */
  sid: z.string().min(1).max(200).optional(),
  /** When the token was issued (seconds since the epoch, fractions allowed): older than a user's revocation cut-off means refused. */
  iat: z.number(),
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

/** Ranks of the roles: nobody may act on the account of a user who ranks above them. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { admin: 3, manager: 2, member: 1 };

/** The highest rank among `roles` (0 for none). */
export function rankOf(roles: readonly Role[]): number {
  return roles.reduce((highest, role) => Math.max(highest, ROLE_RANK[role]), 0);
}

/** The processes that talk on the bus: the gateway and every module. Internal patterns name which of them may call. */
export const SERVICES = MODULE_NAMES;
export type ServiceName = ModuleName;

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICES as readonly string[]).includes(value);
}
