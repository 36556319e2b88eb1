import { busSettingsSchema, databaseSettingsSchema, identityProviderSettingsSchema, processSettingsSchema, requiredWithKeycloak, withIssuer } from '@np/config';
import { emailSchema, passwordSchema } from '@np/contracts';
import { z } from 'zod';

export const usersSettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend(identityProviderSettingsSchema.shape)
  .extend({
    /** The realm's confidential client whose service account manages its users (keycloak provider). */
    NP_KEYCLOAK_USERS_CLIENT_ID: z.string().min(1).default('users'),
    NP_KEYCLOAK_USERS_CLIENT_SECRET: z.string().min(1).optional(),
    NP_USERS_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default('users'),
    NP_BOOTSTRAP_ADMIN_EMAIL: emailSchema.optional(),
    NP_BOOTSTRAP_ADMIN_PASSWORD: passwordSchema.optional(),
  })
  .refine((settings) => (settings.NP_BOOTSTRAP_ADMIN_EMAIL === undefined) === (settings.NP_BOOTSTRAP_ADMIN_PASSWORD === undefined), {
    message: 'NP_BOOTSTRAP_ADMIN_EMAIL and NP_BOOTSTRAP_ADMIN_PASSWORD must be set together',
    path: ['NP_BOOTSTRAP_ADMIN_PASSWORD'],
  })
  .superRefine(requiredWithKeycloak(['NP_KEYCLOAK_URL', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_USERS_CLIENT_SECRET']))
  .transform((settings) => withIssuer(settings));

export type UsersSettings = z.output<typeof usersSettingsSchema>;
