import { z } from 'zod';

/**
 * A plain object as JSON parsing (and the bus's decoding or cloning) makes it, not an array. Its
 * prototype is compared by shape, not with this realm's `Object.prototype`: `structuredClone` (the
 * in-process bus) makes its objects in the host's realm, which differs from a VM context's.
 */
export function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * A JSON object as sent (JSON Schema documents, JSON Forms UI schemas, submission data), taken as
 * it is. zod's `record(string, unknown)` would run a key and a value schema for every member and
 * copy the object, on each of the several times a request or a reply is parsed on its way (the
 * gateway's route, the bus client, the module's bus server): what is inside is the form's own
 * business, checked by the module (ajv, the definition check). In the OpenAPI document it is an
 * object with any members.
 */
export function jsonObject() {
  return z.custom<Record<string, unknown>>(isPlainJsonObject, { message: 'must be an object' }).meta({ type: 'object', additionalProperties: {} });
}
