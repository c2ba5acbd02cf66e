/** Every row of a drizzle `execute()` result, whichever driver answered (an array on postgres.js, `{rows}` on PGlite). */
export function allRows(result: unknown): Record<string, unknown>[] {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
  return (rows ?? []) as Record<string, unknown>[];
}

/** The first row of a drizzle `execute()` result. */
export const firstRow = (result: unknown): Record<string, unknown> | undefined => allRows(result)[0];
