import { Inject, Injectable } from '@nestjs/common';
import { type Database, emSqlQuery, quoteIdentifier } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import type { Usage } from '../contracts/index.js';
import type { BackofficeSettings } from '../settings.js';

/** The events each figure counts (the audit log holds them all, for NP_AUDIT_RETENTION_DAYS). */
const COUNTED = {
  usersCreated: 'users.user.created',
  usersDeleted: 'users.user.deleted',
  filesUploaded: 'files.file.uploaded',
  submissions: 'forms.submission.created',
  exports: 'reports.export.completed',
} as const;

/** Usage per calendar month (UTC), from the audit log. */
@Injectable()
export class UsageService {
  private readonly table: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: Pick<BackofficeSettings, 'NP_BACKOFFICE_SCHEMA'>,
  ) {
    this.table = `${quoteIdentifier(settings.NP_BACKOFFICE_SCHEMA)}.audit_entries`;
  }

  async perMonth(): Promise<Usage> {
    const names = Object.values(COUNTED);
    const rows = await emSqlQuery(this.db.em.fork())(
      `select to_char(date_trunc('month', at at time zone 'UTC'), 'YYYY-MM') as month,
              count(*) filter (where type = $1)::int as users_created,
              count(*) filter (where type = $2)::int as users_deleted,
              count(*) filter (where type = $3)::int as files_uploaded,
              coalesce(sum(case when type = $3 and jsonb_typeof(changes -> 'size') = 'number' then (changes ->> 'size')::numeric end), 0)::float8 as bytes_uploaded,
              count(*) filter (where type = $4)::int as submissions,
              count(*) filter (where type = $5)::int as exports
         from ${this.table} where type = any($6::text[]) group by 1 order by 1`,
      [COUNTED.usersCreated, COUNTED.usersDeleted, COUNTED.filesUploaded, COUNTED.submissions, COUNTED.exports, names],
    );
    return {
      months: rows.map((row) => ({
        month: String(row.month),
        usersCreated: Number(row.users_created),
        usersDeleted: Number(row.users_deleted),
        filesUploaded: Number(row.files_uploaded),
        bytesUploaded: Number(row.bytes_uploaded),
        submissions: Number(row.submissions),
        exports: Number(row.exports),
      })),
    };
  }
}
