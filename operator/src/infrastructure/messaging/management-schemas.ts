import { z } from 'zod';

/** Tags come as a list since RabbitMQ 3.9 and as a comma-separated string before. */
const tags = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((value) => (typeof value === 'string' ? value.split(',').filter((tag) => tag !== '') : (value ?? [])));

export const overviewSchema = z.object({ rabbitmq_version: z.string() });

export const vhostSchema = z.object({
  name: z.string(),
  description: z.string().optional().default(''),
  tags,
  /** `undefined` (the string) when unset, and always on servers before 3.11. */
  default_queue_type: z.string().optional(),
});
export type VhostInfo = z.output<typeof vhostSchema>;

export const userSchema = z.object({
  name: z.string(),
  password_hash: z.string().optional().default(''),
  hashing_algorithm: z.string().optional().default(''),
  tags,
});
export type UserInfo = z.output<typeof userSchema>;

export const permissionsSchema = z.array(z.object({ vhost: z.string(), configure: z.string(), write: z.string(), read: z.string() }));

export const policiesSchema = z.array(
  z.object({
    name: z.string(),
    pattern: z.string(),
    'apply-to': z.string(),
    priority: z.number(),
    definition: z.record(z.string(), z.unknown()),
  }),
);
export type PolicyInfo = z.output<typeof policiesSchema>[number];

export const vhostLimitsSchema = z.array(z.object({ vhost: z.string(), value: z.record(z.string(), z.number()) }));

/** `GET /api/queues/{vhost}?columns=name`. */
export const queueNamesSchema = z.array(z.object({ name: z.string() }));
