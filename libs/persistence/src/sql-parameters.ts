/**
 * Parameters for a statement built clause by clause: `param(value)` records the value and answers
 * its placeholder (`$1`, `$2`, …), so what a caller sent is always bound, never spliced into SQL.
 */
export function sqlParameters(): { params: unknown[]; param: (value: unknown) => string } {
  const params: unknown[] = [];
  return {
    params,
    param: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}
