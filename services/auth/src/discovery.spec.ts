import { describe, expect, it } from '@jest/globals';
import { discoveryDocument } from './discovery.js';
import { authSettingsSchema } from './settings.js';

const KEY = { NP_SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url') };
const settings = (env: Record<string, string>) => authSettingsSchema.parse({ ...KEY, ...env });

describe('discovery document', () => {
  it('names the issuer derived from the public URL when no issuer is set', () => {
    const document = discoveryDocument(settings({ NP_PUBLIC_URL: 'http://localhost:3100/' }));
    expect(document).toMatchObject({ issuer: 'http://localhost:3100', jwks_uri: 'http://localhost:3100/.well-known/jwks.json', token_endpoint: 'http://localhost:3100/v1/auth/login' });
  });

  it('names a configured issuer, with the endpoints under the public URL', () => {
    const document = discoveryDocument(settings({ NP_PUBLIC_URL: 'https://api.example.com', NP_ISSUER: 'https://issuer.example.com/' }));
    expect(document).toMatchObject({ issuer: 'https://issuer.example.com', userinfo_endpoint: 'https://api.example.com/v1/auth/me' });
  });

  it('falls back to the issuer for the endpoints, and to http://localhost:3000 for both', () => {
    expect(discoveryDocument(settings({ NP_ISSUER: 'https://acme.example.com' })).revocation_endpoint).toBe('https://acme.example.com/v1/auth/logout');
    expect(discoveryDocument(settings({})).issuer).toBe('http://localhost:3000');
  });
});
