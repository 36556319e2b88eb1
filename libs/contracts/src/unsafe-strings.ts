import { AppError, type FieldIssue } from './app-error.js';

/**
 * Whether a string can be stored and compared as text everywhere: PostgreSQL refuses a NUL
 * byte in text, and a lone UTF-16 surrogate has no UTF-8 form (drivers silently turn it into
 * U+FFFD), so both are refused at the edge rather than failing, or changing, deeper down.
 */
export function isSafeString(value: string): boolean {
  return value.isWellFormed() && !value.includes('\0');
}

const UNSAFE_MESSAGE = 'Must not contain a NUL character or an unpaired UTF-16 surrogate.';
const UNSAFE_KEY_MESSAGE = 'A field name here contains a NUL character or an unpaired UTF-16 surrogate.';

/**
 * Every place in `value` (a parsed JSON body, query or path parameters) holding an unsafe
 * string, as `validation_failed` details (`where.field.0`). Object keys are checked too; an
 * unsafe key is reported at its parent so the offending text is never echoed back. Iterative,
 * so a deeply nested body cannot overflow the stack.
 */
export function findUnsafeStrings(value: unknown, where: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const pending: { value: unknown; path: string }[] = [{ value, path: where }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    if (typeof current === 'string') {
      if (!isSafeString(current)) issues.push({ path: next.path, message: UNSAFE_MESSAGE });
    } else if (Array.isArray(current)) {
      current.forEach((item: unknown, index) => pending.push({ value: item, path: `${next.path}.${index}` }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        if (!isSafeString(key)) {
          issues.push({ path: next.path, message: UNSAFE_KEY_MESSAGE });
          continue;
        }
        pending.push({ value: item, path: `${next.path}.${key}` });
      }
    }
  }
  return issues.sort((a, b) => a.path.localeCompare(b.path));
}

/** Throws `validation_failed` naming each unsafe string in the request parts given. */
export function assertSafeStrings(parts: Record<string, unknown>): void {
  const issues = Object.entries(parts).flatMap(([where, value]) => findUnsafeStrings(value, where));
  if (issues.length > 0) throw new AppError('validation_failed', 'The request contains text that cannot be stored.', issues);
}
