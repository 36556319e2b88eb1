import { type Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import { AppError } from '@np/contracts';
import type { BusClient } from '@np/messaging';
import type { Logger } from '@np/observability';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { ExportFormat, ReportQuery } from '../contracts/index.js';
import type { DatasetSource } from '../datasets/dataset-source.js';
import { arrayToCells } from '../query/cells.js';
import { compileQuery, type ResultColumn } from '../query/compile-query.js';
import { checkOut } from '../query/query-pool.js';
import type { ReportsSettings } from '../settings.js';
import { CONTENT_TYPES, csvFormatter, type ExportHeading, type Formatter, pdfFormatter, xlsxFormatter } from './formatters.js';
import { uploadToFiles } from './upload-to-files.js';

export interface ExportInput {
  source: DatasetSource;
  query: ReportQuery;
  reportName: string;
  format: ExportFormat;
  ownerId: string;
}

export interface ExportOutcome {
  rows: number;
  fileId: string;
  warning: string | null;
}

/** Rows read from the cursor per round trip. */
const CURSOR_BATCH = 2000;

function formatterFor(format: ExportFormat, columns: readonly ResultColumn[], heading: ExportHeading): Formatter {
  if (format === 'csv') return csvFormatter(columns);
  if (format === 'xlsx') return xlsxFormatter(columns);
  return pdfFormatter(columns, heading);
}

function fileName(reportName: string, format: ExportFormat, at: Date): string {
  const base = reportName.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'report';
  return `${base}-${at.toISOString().slice(0, 19).replace(/:/g, '')}.${format}`;
}

/**
 * One export: the rows stream from a cursor on the module's pool through the format's writer
 * into the files module (constant memory for CSV; XLSX and PDF stop at their caps and say so).
 */
export class ExportRunner {
  constructor(
    private readonly pool: pg.Pool,
    private readonly bus: BusClient,
    private readonly settings: Pick<ReportsSettings, 'NP_FILES_URL' | 'NP_REPORTS_XLSX_MAX_ROWS' | 'NP_REPORTS_PDF_MAX_ROWS'>,
    private readonly logger: Logger,
  ) {}

  async run(input: ExportInput): Promise<ExportOutcome> {
    const cap = input.format === 'xlsx' ? this.settings.NP_REPORTS_XLSX_MAX_ROWS : input.format === 'pdf' ? this.settings.NP_REPORTS_PDF_MAX_ROWS : undefined;
    const compiled = compileQuery(input.source, input.query, cap === undefined ? undefined : cap + 1);
    const now = new Date();
    const grant = await this.bus.call('files.upload-grants.create', { ownerId: input.ownerId, name: fileName(input.reportName, input.format, now), folder: 'reports' });
    const formatter = formatterFor(input.format, compiled.columns, { reportName: input.reportName, query: input.query, generatedAt: now });
    const { client, release } = await checkOut(this.pool);
    let rows = 0;
    let truncated = false;
    let broken = false;
    try {
      const cursor = client.query(new QueryStream(compiled.sql, compiled.params, { batchSize: CURSOR_BATCH, highWaterMark: CURSOR_BATCH, rowMode: 'array' }));
      const toRows = new Transform({
        objectMode: true,
        transform(row: unknown[], _encoding, done: TransformCallback) {
          if (cap !== undefined && rows >= cap) {
            truncated = true;
            return done();
          }
          rows += 1;
          done(null, arrayToCells(row, compiled.columns));
        },
      });
      const rowsDone = new Promise<void>((resolve, reject) => {
        pipeline(cursor as unknown as Readable, toRows, formatter.input, (error) => (error ? reject(error) : resolve()));
      });
      const uploaded = uploadToFiles(this.settings.NP_FILES_URL, grant.path, formatter.output, CONTENT_TYPES[input.format]);
      // Either side failing stops the other: a refused upload ends the cursor, a failed query the upload.
      const [fileId] = await Promise.all([
        uploaded.catch((error: unknown) => {
          cursor.destroy(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }),
        rowsDone.catch((error: unknown) => {
          formatter.output.destroy(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }),
      ]);
      const warning = truncated ? `The ${input.format.toUpperCase()} export stops at ${String(cap)} rows (NP_REPORTS_${input.format.toUpperCase()}_MAX_ROWS); export CSV for every row.` : null;
      return { rows, fileId, warning };
    } catch (error) {
      broken = true;
      this.logger.warn({ err: error, format: input.format }, 'export failed');
      throw error instanceof AppError ? error : new AppError('internal_error', error instanceof Error ? error.message : 'The export failed.');
    } finally {
      // A connection whose cursor was cut off mid-query is not handed out again.
      release(broken);
    }
  }
}
