export * from './permissions.js';
export * from './platform-roles.js';
export * from './jwks-provider.js';
export * from './token-verifier.js';
export * from './bearer-token.js';
export * from './revocation-list.js';
