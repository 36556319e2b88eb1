/** Collects a query's values and hands back their `$n` placeholders: nothing a user sent is ever spliced into SQL. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
