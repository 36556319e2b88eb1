import { Transform, type TransformCallback } from 'node:stream';
import { stringify } from 'csv-stringify/sync';

/** Bytes gathered before a chunk goes on: few, large writes instead of one per row. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The CSV file from rows that each hold one ready line (`compileCsvQuery`): the header row
 * (csv-stringify, the same quoting as the lines), then the lines, each ended by "\n". Counts the
 * rows. Holds at most one chunk besides the stream buffers.
 */
export class CsvLines extends Transform {
  rows = 0;
  private pending: string;

  constructor(columnNames: readonly string[]) {
    super({ writableObjectMode: true, writableHighWaterMark: 2000 });
    this.pending = stringify([columnNames]);
  }

  override _transform(row: readonly unknown[], _encoding: BufferEncoding, done: TransformCallback): void {
    this.rows += 1;
    this.pending += `${String(row[0])}\n`;
    if (this.pending.length >= CHUNK_CHARS) {
      const chunk = this.pending;
      this.pending = '';
      return done(null, chunk);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pending);
  }
}
