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
import { compileCsvQuery } from './csv-query.js';
import { CsvLines } from './csv-lines.js';
import { CONTENT_TYPES, type ExportHeading, type Formatter, pdfFormatter, xlsxFormatter } from './formatters.js';
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

/** Rows read from the cursor per round trip (a CSV line is about 130 bytes: about 1 MB a fetch). */
const CURSOR_BATCH = 8000;

function formatterFor(format: Exclude<ExportFormat, 'csv'>, columns: readonly ResultColumn[], heading: ExportHeading): Formatter {
  return format === 'xlsx' ? xlsxFormatter(columns) : pdfFormatter(columns, heading);
}

/** How one export reads its rows and makes its file. */
interface ExportPlan {
  sql: string;
  params: unknown[];
  /** What the cursor's rows go through, in order; the last one's output is the file. */
  stages: [NodeJS.WritableStream | NodeJS.ReadWriteStream, ...Array<NodeJS.WritableStream | NodeJS.ReadWriteStream>];
  output: Readable;
  outcome: () => { rows: number; truncated: boolean; cap?: number };
}

/** CSV: PostgreSQL writes each line (`compileCsvQuery`), the export joins them; no row limit. */
function csvPlan(input: ExportInput): ExportPlan {
  const compiled = compileCsvQuery(input.source, input.query);
  const lines = new CsvLines(compiled.columns.map((column) => column.name));
  return { sql: compiled.sql, params: compiled.params, stages: [lines], output: lines, outcome: () => ({ rows: lines.rows, truncated: false }) };
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
    const now = new Date();
    const grant = await this.bus.call('files.upload-grants.create', { ownerId: input.ownerId, name: fileName(input.reportName, input.format, now), folder: 'reports' });
    const plan = input.format === 'csv' ? csvPlan(input) : this.cellsPlan({ ...input, format: input.format }, now);
    const { client, release } = await checkOut(this.pool);
    let broken = false;
    try {
      const cursor = client.query(new QueryStream(plan.sql, plan.params, { batchSize: CURSOR_BATCH, highWaterMark: CURSOR_BATCH, rowMode: 'array' }));
      const rowsDone = new Promise<void>((resolve, reject) => {
        pipeline(cursor as unknown as Readable, ...plan.stages, (error) => (error ? reject(error) : resolve()));
      });
      const uploaded = uploadToFiles(this.settings.NP_FILES_URL, grant.path, plan.output, CONTENT_TYPES[input.format]);
      // Either side failing stops the other: a refused upload ends the cursor, a failed query the upload.
      const [fileId] = await Promise.all([
        uploaded.catch((error: unknown) => {
          cursor.destroy(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }),
        rowsDone.catch((error: unknown) => {
          plan.output.destroy(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }),
      ]);
      const { rows, truncated, cap } = plan.outcome();
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

  /** XLSX and PDF: rows read as values, made cells, written by the format's library up to its cap. */
  private cellsPlan(input: ExportInput & { format: Exclude<ExportFormat, 'csv'> }, now: Date): ExportPlan {
    const cap = input.format === 'xlsx' ? this.settings.NP_REPORTS_XLSX_MAX_ROWS : this.settings.NP_REPORTS_PDF_MAX_ROWS;
    const compiled = compileQuery(input.source, input.query, cap + 1);
    const formatter = formatterFor(input.format, compiled.columns, { reportName: input.reportName, query: input.query, generatedAt: now });
    let rows = 0;
    let truncated = false;
    const toCells = new Transform({
      objectMode: true,
      transform(row: unknown[], _encoding, done: TransformCallback) {
        if (rows >= cap) {
          truncated = true;
          return done();
        }
        rows += 1;
        done(null, arrayToCells(row, compiled.columns));
      },
    });
    return { sql: compiled.sql, params: compiled.params, stages: [toCells, formatter.input], output: formatter.output, outcome: () => ({ rows, truncated, cap }) };
  }
}
