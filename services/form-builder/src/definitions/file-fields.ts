type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field holding a file id (`x-np-file: true`), with its limits; `*` in the path stands for each item of an array. */
export interface FileField {
  path: string[];
  maxBytes: number | undefined;
  contentTypes: string[] | undefined;
}

/** Every file field reachable through `properties` (also in `then`/`else`/`allOf`) and array `items`. */
export function collectFileFields(schema: unknown): FileField[] {
  const fields: FileField[] = [];
  const seen = new Set<string>();
  const visit = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    if (node['x-np-file'] === true) {
      const key = path.join('\u0000');
      if (!seen.has(key)) {
        seen.add(key);
        const max = node['x-np-max-bytes'];
        const types = node['x-np-content-types'];
        fields.push({
          path,
          maxBytes: typeof max === 'number' ? max : undefined,
          contentTypes: Array.isArray(types) ? types.filter((type): type is string => typeof type === 'string') : undefined,
        });
      }
      return;
    }
    if (isObject(node.properties)) for (const [name, child] of Object.entries(node.properties)) visit(child, [...path, name]);
    if (node.items !== undefined) visit(node.items, [...path, '*']);
    for (const branch of ['then', 'else']) visit(node[branch], path);
    if (Array.isArray(node.allOf)) for (const part of node.allOf) visit(part, path);
  };
  visit(schema, []);
  return fields;
}

/** The values at a file field's path in the data, each with its data path. */
export function fileValues(data: unknown, path: readonly string[]): { path: (string | number)[]; value: unknown }[] {
  let current: { path: (string | number)[]; value: unknown }[] = [{ path: [], value: data }];
  for (const segment of path) {
    const next: { path: (string | number)[]; value: unknown }[] = [];
    for (const { path: at, value } of current) {
      if (segment === '*') {
        if (Array.isArray(value)) value.forEach((item, index) => next.push({ path: [...at, index], value: item }));
      } else if (isObject(value) && Object.hasOwn(value, segment)) {
        next.push({ path: [...at, segment], value: value[segment] });
      }
    }
    current = next;
  }
  return current;
}

/** Whether a stored file's type is one of the field's (`image/*` for a family). */
export function typeAllowed(contentType: string, allowed: readonly string[]): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return allowed.some((entry) => {
    const wanted = entry.toLowerCase();
    return wanted.endsWith('/*') ? type.startsWith(wanted.slice(0, -1)) : type === wanted;
  });
}
