import { Credential } from './credential.entity.js';
import { InboxEntry } from './inbox-entry.entity.js';
import { LoginFailure } from './login-failure.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Revocation } from './revocation.entity.js';
import { SigningKey } from './signing-key.entity.js';

export { Credential, InboxEntry, LoginFailure, RefreshToken, Revocation, SigningKey };
export type { CredentialRow } from './credential.entity.js';
export type { InboxEntryRow } from './inbox-entry.entity.js';
export type { LoginFailureRow } from './login-failure.entity.js';
export type { RefreshTokenRow } from './refresh-token.entity.js';
export type { RevocationRow } from './revocation.entity.js';
export type { SigningKeyRow } from './signing-key.entity.js';

export const authEntities = [SigningKey, Credential, RefreshToken, LoginFailure, InboxEntry, Revocation];
