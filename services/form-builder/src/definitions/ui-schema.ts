import { checkSchemaKeywords } from './schema-keywords.js';
import { type Problem, pointerOf } from './problems.js';

export type RuleEffect = 'SHOW' | 'HIDE' | 'ENABLE' | 'DISABLE';
const EFFECTS = new Set<string>(['SHOW', 'HIDE', 'ENABLE', 'DISABLE']);

/** A JSON Forms rule condition: one scope checked against a schema, or several combined. */
export type RuleCondition =
  | { kind: 'leaf'; path: string[]; schema: unknown; failWhenUndefined: boolean }
  | { kind: 'and' | 'or'; conditions: RuleCondition[] };

/** A rule with the data fields (paths into the data) of the controls it governs. */
export interface UiRule {
  effect: RuleEffect;
  condition: RuleCondition;
  targets: string[][];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `#/properties/a/properties/b` → the data path `a`, `b`; `#` → the root. Anything else is not a
 * scope this server can enforce.
 */
export function scopePath(scope: unknown): string[] | undefined {
  if (scope === '#') return [];
  if (typeof scope !== 'string' || !scope.startsWith('#/properties/')) return undefined;
  const segments = scope.slice(2).split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const path: string[] = [];
  for (let index = 0; index < segments.length; index += 2) {
    const keyword = segments[index];
    const name = segments[index + 1];
    if (keyword !== 'properties' || name === undefined || name === '') return undefined;
    path.push(name);
  }
  return path;
}

function readCondition(value: unknown, at: (string | number)[], problems: Problem[]): RuleCondition | undefined {
  if (!isObject(value)) {
    problems.push({ pointer: pointerOf(at), message: 'must be a rule condition (an object)' });
    return undefined;
  }
  if (value.type === 'AND' || value.type === 'OR') {
    if (!Array.isArray(value.conditions) || value.conditions.length === 0) {
      problems.push({ pointer: pointerOf([...at, 'conditions']), message: 'must be a non-empty array of conditions' });
      return undefined;
    }
    const conditions = value.conditions.map((condition, index) => readCondition(condition, [...at, 'conditions', index], problems));
    if (conditions.some((condition) => condition === undefined)) return undefined;
    return { kind: value.type === 'AND' ? 'and' : 'or', conditions: conditions as RuleCondition[] };
  }
  const path = scopePath(value.scope);
  if (!path) {
    problems.push({ pointer: pointerOf([...at, 'scope']), message: 'must be a scope of the data schema: # or #/properties/<name>[/properties/<name>…]' });
    return undefined;
  }
  if (value.schema === undefined) {
    problems.push({ pointer: pointerOf([...at, 'schema']), message: 'a condition needs a schema' });
    return undefined;
  }
  const schemaProblems = checkSchemaKeywords(value.schema, [...at, 'schema']);
  problems.push(...schemaProblems);
  if (schemaProblems.length > 0) return undefined;
  return { kind: 'leaf', path, schema: value.schema, failWhenUndefined: value.failWhenUndefined === true };
}

/** Every control's data path at or below an element. */
function controlsUnder(element: Json): string[][] {
  const found: string[][] = [];
  const visit = (node: unknown): void => {
    if (!isObject(node)) return;
    if (node.type === 'Control') {
      const path = scopePath(node.scope);
      if (path && path.length > 0) found.push(path);
    }
    if (Array.isArray(node.elements)) node.elements.forEach(visit);
  };
  visit(element);
  return found;
}

/**
 * Checks a JSON Forms UI schema (elements with a `type`, `elements` of layouts, Control `scope`s
 * into the data schema, rules with an effect and a condition) and answers its rules with the
 * fields each governs. Other keys (labels, options, i18n) are the renderer's and are kept as sent.
 */
export function readUiSchema(uiSchema: unknown, base: (string | number)[]): { rules: UiRule[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const rules: UiRule[] = [];
  const visit = (node: unknown, at: (string | number)[]): void => {
    if (!isObject(node)) {
      problems.push({ pointer: pointerOf(at), message: 'must be a UI schema element (an object)' });
      return;
    }
    if (typeof node.type !== 'string' || node.type === '') problems.push({ pointer: pointerOf([...at, 'type']), message: 'an element needs a type (VerticalLayout, Control, …)' });
    if (node.type === 'Control' && (!scopePath(node.scope) || scopePath(node.scope)?.length === 0)) {
      problems.push({ pointer: pointerOf([...at, 'scope']), message: 'a Control needs a scope #/properties/<name>[/properties/<name>…]' });
    }
    if (node.elements !== undefined) {
      if (Array.isArray(node.elements)) node.elements.forEach((child, index) => visit(child, [...at, 'elements', index]));
      else problems.push({ pointer: pointerOf([...at, 'elements']), message: 'must be an array of elements' });
    }
    if (node.rule !== undefined) {
      const rule = node.rule;
      if (!isObject(rule) || typeof rule.effect !== 'string' || !EFFECTS.has(rule.effect)) {
        problems.push({ pointer: pointerOf([...at, 'rule', 'effect']), message: 'a rule needs an effect: SHOW, HIDE, ENABLE or DISABLE' });
        return;
      }
      const condition = readCondition(rule.condition, [...at, 'rule', 'condition'], problems);
      if (condition) rules.push({ effect: rule.effect as RuleEffect, condition, targets: controlsUnder(node) });
    }
  };
  if (uiSchema !== undefined && uiSchema !== null) visit(uiSchema, base);
  return { rules, problems };
}
