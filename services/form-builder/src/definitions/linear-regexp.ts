import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';

/**
 * ajv's `code.regExp`: `pattern` and `patternProperties` run in RE2JS, whose matching time is
 * linear in the input, so a catastrophic pattern (`^(a+)+$`) cannot hang validation. ajv caches
 * compiled patterns by `toString()`, hence one that names the pattern.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const compiled = RE2JS.compile(pattern);
    return { test: (input: string) => compiled.test(input), toString: () => `/${pattern}/${flags}` };
  },
  { code: 'linearRegExp' },
);
