import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary(),
    familyId: p.uuid(),
    userId: p.uuid(),
    tokenHash: p.text().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    /** Keys the successor of each token of the family (HMAC), so a refresh replayed within the grace window gets the same new token. */
    familySecret: p.text().nullable(),
    createdAt: p.datetime(),
  },
});

export type RefreshTokenRow = InferEntity<typeof RefreshToken>;
