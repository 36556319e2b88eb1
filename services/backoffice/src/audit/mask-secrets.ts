/** Key names whose values are secrets, whatever their case and separators (`password`, `clientSecret`, `api_key`, `accessToken`, …). */
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|api[-_]?key|private[-_]?key|signing[-_]?key|(^|[-_])key$|credential|authorization|cookie|signature|otp|pin$/i;
export const MASK = '***';

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of `value` with every secret-like key's value replaced by `***` at any depth. Events
 * should carry no secrets at all; this is the audit's second line, so a mistake upstream never
 * reaches the log.
 */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32) return MASK;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isSecretKey(key) ? MASK : maskSecrets(item, depth + 1)]));
}
