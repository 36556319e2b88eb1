type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An `if` of the data schema at an object of the data, with the fields each branch names. */
export interface ConditionalGroup {
  path: string[];
  ifSchema: unknown;
  thenNames: string[];
  elseNames: string[];
}

function namesOf(branch: unknown): string[] {
  if (!isObject(branch)) return [];
  const names = new Set<string>();
  if (isObject(branch.properties)) for (const name of Object.keys(branch.properties)) names.add(name);
  if (Array.isArray(branch.required)) for (const name of branch.required) if (typeof name === 'string') names.add(name);
  return [...names];
}

/**
 * Every `if`/`then`/`else` of the schema that governs an object of the data: at the root, in the
 * root's `allOf`, and the same inside nested object properties. A field a branch names is
 * conditional: when the other branch is taken it is hidden (not required, not stored).
 */
export function collectConditionals(schema: unknown): ConditionalGroup[] {
  const groups: ConditionalGroup[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    const holders = [node, ...(Array.isArray(node.allOf) ? node.allOf.filter(isObject) : [])];
    for (const holder of holders) {
      if (holder.if !== undefined && (holder.then !== undefined || holder.else !== undefined)) {
        groups.push({ path, ifSchema: holder.if, thenNames: namesOf(holder.then), elseNames: namesOf(holder.else) });
      }
    }
    if (isObject(node.properties)) for (const [name, child] of Object.entries(node.properties)) visit(child, [...path, name]);
  };
  visit(schema, []);
  return groups;
}

/** The fields of the untaken branches, given how each group's `if` came out. */
export function hiddenByConditionals(groups: readonly ConditionalGroup[], taken: readonly (boolean | undefined)[]): string[][] {
  const hidden: string[][] = [];
  groups.forEach((group, index) => {
    const outcome = taken[index];
    if (outcome === undefined) return;
    const kept = new Set(outcome ? group.thenNames : group.elseNames);
    for (const name of outcome ? group.elseNames : group.thenNames) if (!kept.has(name)) hidden.push([...group.path, name]);
  });
  return hidden;
}
