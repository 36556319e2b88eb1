import { describe, expect, it } from '@jest/globals';
import { gatewaySettingsSchema } from './settings.js';

describe('gateway settings', () => {
  it('derives the public URL from PORT and the issuer from the public URL', () => {
    const settings = gatewaySettingsSchema.parse({ PORT: '3100' });
    expect(settings.NP_PUBLIC_URL).toBe('http://localhost:3100');
    expect(settings.NP_ISSUER).toBe('http://localhost:3100');
  });

  it('takes a configured public URL for the issuer, without a trailing slash', () => {
    const settings = gatewaySettingsSchema.parse({ NP_PUBLIC_URL: 'https://api.example.com/' });
    expect(settings).toMatchObject({ NP_PUBLIC_URL: 'https://api.example.com', NP_ISSUER: 'https://api.example.com' });
  });

  it('keeps an issuer configured apart from the public URL', () => {
    const settings = gatewaySettingsSchema.parse({ NP_PUBLIC_URL: 'https://api.example.com', NP_ISSUER: 'https://id.example.com/realms/acme' });
    expect(settings.NP_ISSUER).toBe('https://id.example.com/realms/acme');
  });

  it('has safe defaults for CORS credentials and the request timeout', () => {
    const settings = gatewaySettingsSchema.parse({});
    expect(settings).toMatchObject({ NP_CORS_CREDENTIALS: false, NP_HTTP_REQUEST_TIMEOUT_MS: 30_000 });
  });

  it('reads the enabled modules as a list, `none` as the empty one (an empty variable is unset)', () => {
    expect(gatewaySettingsSchema.parse({ NP_MODULES: 'users' }).NP_MODULES).toEqual(['users']);
    expect(gatewaySettingsSchema.parse({ NP_MODULES: 'none' }).NP_MODULES).toEqual([]);
    expect(gatewaySettingsSchema.parse({}).NP_MODULES).toEqual(['users']);
    expect(gatewaySettingsSchema.safeParse({ NP_MODULES: 'billing' }).success).toBe(false);
  });

  it('refuses a public URL that is not http(s)', () => {
    expect(gatewaySettingsSchema.safeParse({ NP_PUBLIC_URL: 'ftp://x' }).success).toBe(false);
  });
});
