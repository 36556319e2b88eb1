import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export const LoginFailure = defineEntity({
  name: 'LoginFailure',
  tableName: 'login_failures',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    email: p.text(),
    ip: p.text(),
    failedAt: p.datetime(),
  },
});

export type LoginFailureRow = InferEntity<typeof LoginFailure>;
