import { describe, expect, it } from '@jest/globals';
import { usersSettingsSchema } from './settings.js';

describe('usersSettingsSchema', () => {
  it('defaults the schema to users and leaves the bootstrap admin off', () => {
    const settings = usersSettingsSchema.parse({});
    expect(settings.NP_USERS_SCHEMA).toBe('users');
    expect(settings.NP_BOOTSTRAP_ADMIN_EMAIL).toBeUndefined();
  });

  it('reads the bootstrap admin, lowercasing its email', () => {
    const settings = usersSettingsSchema.parse({ NP_BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com', NP_BOOTSTRAP_ADMIN_PASSWORD: 'long enough' });
    expect(settings.NP_BOOTSTRAP_ADMIN_EMAIL).toBe('root@example.com');
  });

  it.each([
    [{ NP_BOOTSTRAP_ADMIN_EMAIL: 'root@example.com' }],
    [{ NP_BOOTSTRAP_ADMIN_EMAIL: 'root@example.com', NP_BOOTSTRAP_ADMIN_PASSWORD: 'short' }],
    [{ NP_USERS_SCHEMA: 'Users; drop' }],
  ])('rejects %j', (env) => {
    expect(usersSettingsSchema.safeParse(env).success).toBe(false);
  });
});
