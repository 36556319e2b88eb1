import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';

export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    kid: p.text().primary(),
    privateJwk: p.json<JWK>(),
    publicJwk: p.json<JWK>(),
    createdAt: p.datetime(),
    retiredAt: p.datetime().nullable(),
  },
});

export type SigningKeyRow = InferEntity<typeof SigningKey>;
