import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { linearRegExp } from './linear-regexp.js';

// ajv-formats is CommonJS: under NodeNext its plugin is the module's `default` property.
const addFormats = formatsPlugin.default;

/**
 * An ajv for JSON Schema 2020-12 with formats, strict about unknown keywords and formats, with
 * every error reported, patterns in a linear-time engine, nothing fetched (no `loadSchema`), and
 * the file-field annotations known. One per published version (and one for its draft rules), so
 * two forms' `$id`s never meet.
 */
export function newAjv(options: { validateSchema?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    // Compiling the meta-schema is most of an instance's cost: versions compile with it off, the
    // definition having been checked against it (by the one shared instance) when it was saved.
    validateSchema: options.validateSchema ?? true,
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    // `then: {required: [...]}` without repeating the property is the usual conditional field.
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
    code: { regExp: linearRegExp },
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-np-file', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'x-np-max-bytes', schemaType: 'number' });
  ajv.addKeyword({ keyword: 'x-np-content-types', schemaType: 'array' });
  return ajv;
}

let metaInstance: Ajv2020 | undefined;

/** The one instance that checks definitions against the 2020-12 meta-schema (compiled once per process). */
export function metaAjv(): Ajv2020 {
  metaInstance ??= newAjv();
  return metaInstance;
}
