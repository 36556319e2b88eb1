import { sqlParameters } from '@np/persistence';

/** One column of a table, as a record of this module fills it. */
export interface RecordColumn<R> {
  readonly name: string;
  /** The placeholder's cast, e.g. `jsonb` for a value sent as JSON text. */
  readonly cast?: string;
  readonly value: (record: R) => unknown;
  /** Written once, by the insert: an update leaves it as it is. */
  readonly fixed?: boolean;
}

/** A statement's part built from a record: its SQL, its parameters, and a way to bind more after them. */
export interface RecordStatement {
  sql: string;
  params: unknown[];
  param: (value: unknown) => string;
}

/**
 * A table's columns and how a record fills each: the insert and the update of a record take their
 * parameters from this one list, so the two never disagree on a column's value or cast.
 */
export class RecordColumns<R> {
  /** `a, b, c`: for selects and inserts, in declaration order. */
  readonly names: string;

  constructor(
    private readonly columns: readonly RecordColumn<R>[],
    /** The key column (fixed): the update's `$1`. */
    private readonly key: RecordColumn<R>,
  ) {
    this.names = columns.map((column) => column.name).join(', ');
  }

  /** `(a, b, …) values ($1, $2::jsonb, …)`. */
  insert(record: R): RecordStatement {
    const { params, param } = sqlParameters();
    const values = this.columns.map((column) => placeholder(param(column.value(record)), column.cast));
    return { sql: `(${this.names}) values (${values.join(', ')})`, params, param };
  }

  /** `a = $2, b = $3::jsonb, …` for the columns an update changes; `$1` is the key's value. */
  update(record: R): RecordStatement {
    const { params, param } = sqlParameters();
    param(this.key.value(record));
    const assignments = this.columns.filter((column) => !column.fixed).map((column) => `${column.name} = ${placeholder(param(column.value(record)), column.cast)}`);
    return { sql: assignments.join(', '), params, param };
  }
}

function placeholder(parameter: string, cast: string | undefined): string {
  return cast ? `${parameter}::${cast}` : parameter;
}
