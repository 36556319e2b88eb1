import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * What gateways must refuse until `expiresAt`: a session's access tokens (`kind` session,
 * `subject` = session id) or a user's tokens issued before `notBefore` (`kind` user). Kept so a
 * gateway that starts, or reconnects, can load what it missed.
 */
export const Revocation = defineEntity({
  name: 'Revocation',
  tableName: 'revocations',
  properties: {
    id: p.uuid().primary(),
    kind: p.text(),
    subject: p.text(),
    userId: p.uuid(),
    notBefore: p.datetime().nullable(),
    expiresAt: p.datetime(),
    createdAt: p.datetime(),
  },
});

export type RevocationRow = InferEntity<typeof Revocation>;
