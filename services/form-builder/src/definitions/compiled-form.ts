import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from './ajv-instance.js';
import { collectConditionals, type ConditionalGroup, hiddenByConditionals } from './conditional-fields.js';
import { collectFileFields, type FileField } from './file-fields.js';
import { type Problem, pointerOf } from './problems.js';
import { readUiSchema, type RuleCondition, type UiRule } from './ui-schema.js';

type Json = Record<string, unknown>;
type Test = (value: unknown) => boolean;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type CompiledCondition = { kind: 'leaf'; path: string[]; test: Test; failWhenUndefined: boolean } | { kind: 'and' | 'or'; conditions: CompiledCondition[] };

interface CompiledRule {
  effect: UiRule['effect'];
  condition: CompiledCondition;
  targets: string[][];
}

/** What checking a submission's data found: the data to store (hidden fields removed) and the problems. */
export interface CheckedData {
  data: Json;
  problems: Problem[];
}

/** Unknown fields are refused: the root gets `unevaluatedProperties: false` unless it says otherwise. */
function closedRoot(schema: Json): Json {
  const root = { ...schema };
  delete root.$id;
  if (root.unevaluatedProperties === undefined || root.unevaluatedProperties === true) root.unevaluatedProperties = false;
  return root;
}

/** The schema a draft is checked against: no `required` anywhere except inside `if` (which decides, not demands). */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (!isObject(node)) return node;
  const copy: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required' || key === 'dependentRequired' || key === 'minProperties') continue;
    if (key === 'if' || key === 'const' || key === 'enum' || key === 'default' || key === 'examples') copy[key] = value;
    else copy[key] = withoutRequired(value);
  }
  return copy;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const segment of path) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

function removeAt(data: Json, path: readonly string[]): void {
  const parent = valueAt(data, path.slice(0, -1));
  const last = path.at(-1);
  if (isObject(parent) && last !== undefined) delete parent[last];
}

function evaluate(condition: CompiledCondition, data: unknown): boolean {
  if (condition.kind !== 'leaf') {
    return condition.kind === 'and' ? condition.conditions.every((part) => evaluate(part, data)) : condition.conditions.some((part) => evaluate(part, data));
  }
  const value = valueAt(data, condition.path);
  if (value === undefined && condition.failWhenUndefined) return false;
  return condition.test(value);
}

function isUnder(pointer: string, hidden: ReadonlySet<string>): boolean {
  for (const prefix of hidden) if (pointer === prefix || pointer.startsWith(`${prefix}/`)) return true;
  return false;
}

function problemOf(error: ErrorObject): Problem {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return { pointer: `${error.instancePath}${pointerOf([String(params.missingProperty)])}`, message: 'is required' };
  if (error.keyword === 'unevaluatedProperties' || error.keyword === 'additionalProperties') {
    const name = String(params.unevaluatedProperty ?? params.additionalProperty);
    return { pointer: `${error.instancePath}${pointerOf([name])}`, message: 'is not a field of this form' };
  }
  return { pointer: error.instancePath, message: error.message ?? `fails ${error.keyword}` };
}

/**
 * A published version, compiled once: its validators (full, and without `required` for drafts),
 * its UI rules and `if`/`then` branches (enforced here: a hidden field is neither required nor
 * stored), and its file fields. Throws when ajv cannot compile the schema (the definition check
 * runs first, so that is a bug, not bad input).
 */
export class CompiledForm {
  readonly fileFields: FileField[];
  private readonly full: ValidateFunction;
  private readonly draft: ValidateFunction;
  private readonly rules: CompiledRule[];
  private readonly conditionals: { group: ConditionalGroup; test: Test }[];

  constructor(dataSchema: Json, uiSchema: Json | null) {
    const root = closedRoot(dataSchema);
    this.full = newAjv({ validateSchema: false }).compile(root);
    const helper = newAjv({ validateSchema: false });
    this.draft = helper.compile(withoutRequired(root) as Json);
    // Sub-schemas compiled on their own keep the root's $defs, so their local references resolve.
    const withDefs = (schema: unknown): Test => {
      const compiled = helper.compile(isObject(schema) ? { ...schema, ...(isObject(root.$defs) ? { $defs: root.$defs } : {}) } : (schema as boolean));
      return (value) => compiled(value);
    };
    const compileCondition = (condition: RuleCondition): CompiledCondition =>
      condition.kind === 'leaf'
        ? { kind: 'leaf', path: condition.path, test: withDefs(condition.schema), failWhenUndefined: condition.failWhenUndefined }
        : { kind: condition.kind, conditions: condition.conditions.map(compileCondition) };
    this.rules = readUiSchema(uiSchema, ['uiSchema']).rules.map((rule) => ({ effect: rule.effect, targets: rule.targets, condition: compileCondition(rule.condition) }));
    this.conditionals = collectConditionals(root).map((group) => ({ group, test: withDefs(group.ifSchema) }));
    this.fileFields = collectFileFields(root);
  }

  /** Hides, strips and validates `data` (never modified) as a draft or a final submission. */
  check(input: Json, state: 'draft' | 'submitted'): CheckedData {
    // Copied on the first field actually removed: most submissions leave out what is hidden, and
    // copying every one of them was a visible share of a submission's cost.
    let data = input;
    let copied = false;
    const remove = (paths: readonly (readonly string[])[]): void => {
      for (const path of paths) {
        if (valueAt(data, path) === undefined) continue;
        if (!copied) {
          data = structuredClone(input);
          copied = true;
        }
        removeAt(data, path);
      }
    };
    const hiddenPaths: string[][] = [];
    for (const rule of this.rules) {
      const holds = evaluate(rule.condition, data);
      if ((rule.effect === 'HIDE' && holds) || (rule.effect === 'SHOW' && !holds)) hiddenPaths.push(...rule.targets);
    }
    remove(hiddenPaths);
    const taken = this.conditionals.map(({ group, test }) => {
      const target = valueAt(data, group.path);
      return isObject(target) ? test(target) : undefined;
    });
    const conditional = hiddenByConditionals(
      this.conditionals.map(({ group }) => group),
      taken,
    );
    remove(conditional);
    const hidden = new Set([...hiddenPaths, ...conditional].map((path) => pointerOf(path)));
    const validate = state === 'draft' ? this.draft : this.full;
    if (validate(data)) return { data, problems: [] };
    const problems = (validate.errors ?? [])
      // An `if` fails only because its branch did; the branch's own errors say why.
      .filter((error) => error.keyword !== 'if')
      .map(problemOf)
      .filter((problem) => !isUnder(problem.pointer, hidden));
    return { data, problems };
  }
}
