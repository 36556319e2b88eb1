import type { FieldType } from '../contracts/index.js';
import type { ResultColumn } from './compile-query.js';

export type Cell = string | number | boolean | null | string[];

/** A database value as the report's JSON answer (and the exports) show it: dates as ISO text. */
export function toCell(value: unknown, type: FieldType): Cell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (type === 'string[]' && Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function toCells(row: Record<string, unknown>, columns: readonly ResultColumn[]): Cell[] {
  return columns.map((column, at) => toCell(row[`c${at}`], column.type));
}

/** The same for a row read as an array (`rowMode: 'array'`: no object per row). */
export function arrayToCells(row: readonly unknown[], columns: readonly ResultColumn[]): Cell[] {
  const cells: Cell[] = new Array<Cell>(columns.length);
  for (let at = 0; at < columns.length; at += 1) cells[at] = toCell(row[at], columns[at]!.type);
  return cells;
}
