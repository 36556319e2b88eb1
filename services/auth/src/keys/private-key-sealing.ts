import { base64url, FlattenedEncrypt, type FlattenedJWE, flattenedDecrypt, type JWK } from 'jose';

/** A signing private key as stored: a JWE (flattened JSON), direct encryption with AES-256-GCM. */
export type SealedPrivateKey = FlattenedJWE;

const KEY_BYTES = 32;
const ALGORITHM = { alg: 'dir', enc: 'A256GCM' } as const;
const CONTENT_TYPE = 'jwk+json';

/** Why a setting is not a usable key, or undefined when it is one (base64url of 32 bytes). */
export function encryptionKeyProblem(value: string): string | undefined {
  try {
    return base64url.decode(value).length === KEY_BYTES ? undefined : `must be ${KEY_BYTES} bytes (256 bits), base64url-encoded`;
  } catch {
    return 'must be base64url-encoded';
  }
}

export function isSealedPrivateKey(value: unknown): value is SealedPrivateKey {
  const candidate = value as Partial<Record<keyof SealedPrivateKey, unknown>> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.ciphertext === 'string' && typeof candidate.protected === 'string';
}

/**
 * Encrypts and decrypts signing private keys with the key from `NP_SIGNING_KEY_ENCRYPTION_KEY`,
 * so the database (a backup, a dump, a reader of the table) holds no usable private key. The
 * key id is in the integrity-protected header, so a sealed key copied onto another row is refused.
 */
export class PrivateKeySealer {
  private readonly key: Uint8Array;

  constructor(encodedKey: string) {
    const problem = encryptionKeyProblem(encodedKey);
    if (problem) throw new Error(`NP_SIGNING_KEY_ENCRYPTION_KEY ${problem}`);
    this.key = base64url.decode(encodedKey);
  }

  seal(kid: string, privateJwk: JWK): Promise<SealedPrivateKey> {
    return new FlattenedEncrypt(new TextEncoder().encode(JSON.stringify(privateJwk)))
      .setProtectedHeader({ ...ALGORITHM, cty: CONTENT_TYPE, kid })
      .encrypt(this.key);
  }

  async open(kid: string, sealed: SealedPrivateKey): Promise<JWK> {
    const opened = await flattenedDecrypt(sealed, this.key, {
      keyManagementAlgorithms: [ALGORITHM.alg],
      contentEncryptionAlgorithms: [ALGORITHM.enc],
    }).catch((error: unknown) => {
      throw new Error(`The private key of signing key ${kid} cannot be decrypted with NP_SIGNING_KEY_ENCRYPTION_KEY (was the key changed?)`, { cause: error });
    });
    if (opened.protectedHeader?.kid !== kid) throw new Error(`The sealed private key stored for signing key ${kid} belongs to another key.`);
    return JSON.parse(new TextDecoder().decode(opened.plaintext)) as JWK;
  }
}
