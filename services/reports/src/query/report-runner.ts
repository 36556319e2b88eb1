import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
import type pg from 'pg';
import type { ReportQuery, RunResult } from '../contracts/index.js';
import type { DatasetSource } from '../datasets/dataset-source.js';
import { toCells } from './cells.js';
import { compileQuery } from './compile-query.js';
import { QUERY_POOL } from './query-pool.js';

/** Runs a validated query for a JSON answer, refusing results past the cap rather than truncating them. */
@Injectable()
export class ReportRunner {
  constructor(@Inject(QUERY_POOL) private readonly pool: pg.Pool) {}

  async run(source: DatasetSource, query: ReportQuery, maxRows: number): Promise<RunResult> {
    const compiled = compileQuery(source, query, maxRows + 1);
    const result = await this.pool.query<Record<string, unknown>>(compiled.sql, compiled.params);
    if (result.rows.length > maxRows) {
      throw new AppError('result_too_large', `The report has more than ${maxRows} rows: export it instead (POST /v1/reports/:id/exports).`, { maxRows });
    }
    return { columns: compiled.columns, rows: result.rows.map((row) => toCells(row, compiled.columns)) };
  }
}
