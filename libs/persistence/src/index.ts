export * from './sql-migration.js';
export * from './identifiers.js';
export * from './sql-parameters.js';
export * from './open-database.js';
export * from './embedded-postgres.js';
export * from './orm-sql.js';
export * from './database-unavailable.js';
export * from './secret-file.js';
