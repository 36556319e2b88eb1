import { Migration } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';

/**
 * A migration written as plain SQL statements. Services keep their migrations as an ordered
 * list in code (no file globbing), so the same list runs in every shape and in tests.
 */
export function sqlMigration(name: string, statements: readonly string[]): MigrationObject {
  class SqlMigration extends Migration {
    override up(): void {
      for (const statement of statements) this.addSql(statement);
    }
  }
  Object.defineProperty(SqlMigration, 'name', { value: name });
  return { name, class: SqlMigration };
}
