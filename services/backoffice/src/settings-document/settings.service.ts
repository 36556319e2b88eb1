import { Inject, Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@np/contracts';
import { domainEvent, insertOutboxEvent, type OutboxSignal } from '@np/messaging';
import { type Database, emSqlQuery, quoteIdentifier } from '@np/persistence';
import { DATABASE, OUTBOX, SETTINGS } from '@np/runtime';
import { type Settings, type SettingsDocument, settingsDocumentSchema } from '../contracts/index.js';
import type { BackofficeSettings } from '../settings.js';

/**
 * The tenant's settings: one JSON document validated by `settingsDocumentSchema`, replaced whole
 * under optimistic concurrency (the version the writer read, sent as If-Match), every version kept.
 */
@Injectable()
export class SettingsService {
  private readonly s: string;
  private readonly schema: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
    @Inject(SETTINGS) settings: Pick<BackofficeSettings, 'NP_BACKOFFICE_SCHEMA'>,
  ) {
    this.schema = settings.NP_BACKOFFICE_SCHEMA;
    this.s = quoteIdentifier(this.schema);
  }

  /** Version 0 is the defaults, before anyone wrote. */
  async get(): Promise<Settings> {
    const rows = await emSqlQuery(this.db.em.fork())(`select version, document, to_json(updated_at) #>> '{}' as updated_at, updated_by from ${this.s}.settings where id = 1`, []);
    const row = rows[0];
    if (!row) return { version: 0, settings: settingsDocumentSchema.parse({}), updatedAt: null, updatedBy: null };
    return { version: Number(row.version), settings: settingsDocumentSchema.parse(json(row.document)), updatedAt: new Date(String(row.updated_at)).toISOString(), updatedBy: typeof row.updated_by === 'string' ? row.updated_by : null };
  }

  async put(expectedVersion: number, document: SettingsDocument, principal: Principal | undefined): Promise<Settings> {
    const updatedBy = principal?.sub ?? null;
    const next = await this.db.em.fork().transactional(async (em) => {
      const query = emSqlQuery(em);
      const current = await query(`select version from ${this.s}.settings where id = 1 for update`, []);
      const version = current[0] ? Number(current[0].version) : 0;
      if (version !== expectedVersion) {
        throw new AppError('precondition_failed', `The settings are at version ${version}, not ${expectedVersion}: read them again and reapply the change.`, { currentVersion: version });
      }
      const now = new Date();
      const nextVersion = version + 1;
      await query(
        `insert into ${this.s}.settings (id, version, document, updated_at, updated_by) values (1, $1, $2, $3, $4)
         on conflict (id) do update set version = excluded.version, document = excluded.document, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [nextVersion, JSON.stringify(document), now.toISOString(), updatedBy],
      );
      await query(`insert into ${this.s}.settings_history (version, document, updated_at, updated_by) values ($1, $2, $3, $4)`, [nextVersion, JSON.stringify(document), now.toISOString(), updatedBy]);
      await insertOutboxEvent(query, this.schema, domainEvent('backoffice.settings.updated', { version: nextVersion, settings: document }));
      return { version: nextVersion, settings: document, updatedAt: now.toISOString(), updatedBy };
    });
    this.outbox.kick();
    return next;
  }

  async history(): Promise<{ items: Array<{ version: number; settings: SettingsDocument; updatedAt: string; updatedBy: string | null }> }> {
    const rows = await emSqlQuery(this.db.em.fork())(`select version, document, to_json(updated_at) #>> '{}' as updated_at, updated_by from ${this.s}.settings_history order by version desc limit 1000`, []);
    return {
      items: rows.map((row) => ({
        version: Number(row.version),
        settings: settingsDocumentSchema.parse(json(row.document)),
        updatedAt: new Date(String(row.updated_at)).toISOString(),
        updatedBy: typeof row.updated_by === 'string' ? row.updated_by : null,
      })),
    };
  }
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}
