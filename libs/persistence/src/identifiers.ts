const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates and double-quotes an SQL identifier (schema names come from configuration). */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Invalid SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
