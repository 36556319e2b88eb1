import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { ExportFormat, ReportQuery } from '../contracts/index.js';
import type { Cell } from '../query/cells.js';
import type { ResultColumn } from '../query/compile-query.js';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** What the PDF states about the report on its first page. */
export interface ExportHeading {
  reportName: string;
  query: ReportQuery;
  generatedAt: Date;
}

export interface Formatter {
  /** The file's bytes, as they are made. */
  output: Readable;
  /** Takes the rows (arrays of cells) in order; ends the output when they end. */
  input: NodeJS.WritableStream;
}

function text(cell: Cell): string {
  if (cell === null) return '';
  return Array.isArray(cell) ? cell.join(', ') : String(cell);
}

/** XLSX through exceljs's streaming writer (no shared strings or styles, rows committed as they come). */
export function xlsxFormatter(columns: readonly ResultColumn[]): Formatter {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Report');
  sheet.addRow(columns.map((column) => column.name)).commit();
  const input = new Transform({
    writableObjectMode: true,
    transform(row: Cell[], _encoding, done: TransformCallback) {
      sheet.addRow(row.map((cell, at) => (cell === null ? null : columns[at]?.type === 'datetime' && typeof cell === 'string' ? new Date(cell) : Array.isArray(cell) ? cell.join(', ') : cell))).commit();
      done();
    },
    flush(done: TransformCallback) {
      sheet.commit();
      workbook.commit().then(() => done(), done);
    },
  });
  input.resume();
  return { input, output };
}

const MARGIN = 36;
const ROW_HEIGHT = 14;

/** A paginated PDF table (landscape A4) whose first page states the report, its dataset, filters, grouping and time bucket. */
export function pdfFormatter(columns: readonly ResultColumn[], heading: ExportHeading): Formatter {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, bufferPages: false });
  const width = doc.page.width - 2 * MARGIN;
  const columnWidth = width / Math.max(1, columns.length);
  const bottom = () => doc.page.height - MARGIN - ROW_HEIGHT;
  const drawRow = (cells: string[], bold: boolean) => {
    if (doc.y > bottom()) {
      doc.addPage();
      drawRow(columns.map((column) => column.name), true);
    }
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((cell, at) => doc.text(cell, MARGIN + at * columnWidth, y, { width: columnWidth - 4, height: ROW_HEIGHT, lineBreak: false, ellipsis: true }));
    doc.x = MARGIN;
    doc.y = y + ROW_HEIGHT;
  };
  doc.font('Helvetica-Bold').fontSize(14).text(heading.reportName);
  doc.font('Helvetica').fontSize(9);
  for (const line of describeQuery(heading.query)) doc.text(line);
  doc.text(`Generated: ${heading.generatedAt.toISOString()}`);
  doc.moveDown();
  drawRow(columns.map((column) => column.name), true);
  const input = new Transform({
    writableObjectMode: true,
    transform(row: Cell[], _encoding, done: TransformCallback) {
      drawRow(row.map(text), false);
      done();
    },
    flush(done: TransformCallback) {
      doc.end();
      done();
    },
  });
  input.resume();
  return { input, output: doc };
}

/** The filters and the rest of a query, as the PDF prints them. */
export function describeQuery(query: ReportQuery): string[] {
  const filters = query.filters.length === 0 ? 'none' : query.filters.map((filter) => `${filter.field} ${filter.op} ${JSON.stringify(filter.value)}`).join('; ');
  return [
    `Dataset: ${query.dataset}`,
    `Filters: ${filters}`,
    `Group by: ${query.groupBy.length === 0 ? 'none' : query.groupBy.join(', ')}`,
    `Aggregates: ${query.aggregates.length === 0 ? 'none' : query.aggregates.map((aggregate) => `${aggregate.as} = ${aggregate.op}(${aggregate.field ?? '*'})`).join(', ')}`,
    `Time bucket: ${query.timeBucket ? `${query.timeBucket.unit} of ${query.timeBucket.field} in ${query.timeBucket.timeZone}` : 'none'}`,
  ];
}
