import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export const Credential = defineEntity({
  name: 'Credential',
  tableName: 'credentials',
  properties: {
    userId: p.uuid().primary(),
    passwordHash: p.text(),
    updatedAt: p.datetime(),
  },
});

export type CredentialRow = InferEntity<typeof Credential>;
