import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SettingsError, loadSettings } from '@np/config';
import { base64url, decodeProtectedHeader } from 'jose';
import { authSettingsSchema } from '../settings.js';
import { generateSigningKey } from './generate-signing-key.js';
import { encryptionKeyProblem, isSealedPrivateKey, PrivateKeySealer } from './private-key-sealing.js';

const newKey = () => randomBytes(32).toString('base64url');

describe('PrivateKeySealer', () => {
  it('seals a private JWK into a dir/A256GCM JWE without the key material and opens it again', async () => {
    const sealer = new PrivateKeySealer(newKey());
    const { kid, privateJwk } = await generateSigningKey();

    const sealed = await sealer.seal(kid, privateJwk);

    expect(isSealedPrivateKey(sealed)).toBe(true);
    expect(sealed).not.toHaveProperty('d');
    expect(JSON.stringify(sealed)).not.toContain(privateJwk.d);
    expect(decodeProtectedHeader(sealed)).toEqual({ alg: 'dir', enc: 'A256GCM', cty: 'jwk+json', kid });
    expect(await sealer.open(kid, sealed)).toEqual(privateJwk);
  });

  it('refuses to open with another key, naming the setting', async () => {
    const { kid, privateJwk } = await generateSigningKey();
    const sealed = await new PrivateKeySealer(newKey()).seal(kid, privateJwk);

    await expect(new PrivateKeySealer(newKey()).open(kid, sealed)).rejects.toThrow(/NP_SIGNING_KEY_ENCRYPTION_KEY/);
  });

  it('refuses a sealed key stored under another key id', async () => {
    const sealer = new PrivateKeySealer(newKey());
    const { kid, privateJwk } = await generateSigningKey();
    const sealed = await sealer.seal(kid, privateJwk);

    await expect(sealer.open('another-kid', sealed)).rejects.toThrow(/belongs to another key/);
  });

  it('tells a plain JWK from a sealed one', async () => {
    const { privateJwk } = await generateSigningKey();
    expect(isSealedPrivateKey(privateJwk)).toBe(false);
    expect(isSealedPrivateKey(null)).toBe(false);
  });
});

describe('NP_SIGNING_KEY_ENCRYPTION_KEY', () => {
  it('accepts 32 bytes in base64url and refuses other lengths and alphabets', () => {
    expect(encryptionKeyProblem(newKey())).toBeUndefined();
    expect(encryptionKeyProblem(base64url.encode(randomBytes(16)))).toMatch(/32 bytes/);
    expect(encryptionKeyProblem('not/base64url+')).toMatch(/base64url/);
    expect(() => new PrivateKeySealer('short')).toThrow(/NP_SIGNING_KEY_ENCRYPTION_KEY/);
  });

  it('is required: the auth settings name it when it is missing', () => {
    let problems: string[] = [];
    try {
      loadSettings(authSettingsSchema, { env: { NP_ENV: 'production' }, configDir: '/nonexistent' });
    } catch (error) {
      if (error instanceof SettingsError) problems = error.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^NP_SIGNING_KEY_ENCRYPTION_KEY: required/)]);
  });
});
