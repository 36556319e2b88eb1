import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import type { FlattenedJWE, JWK } from 'jose';

export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    kid: p.text().primary(),
    /** Sealed (a JWE, see keys/private-key-sealing.ts); a plain JWK only in rows written before sealing, until the next start. */
    privateJwk: p.json<FlattenedJWE | JWK>(),
    publicJwk: p.json<JWK>(),
    createdAt: p.datetime(),
    retiredAt: p.datetime().nullable(),
  },
});

export type SigningKeyRow = InferEntity<typeof SigningKey>;
