/** The first row of a drizzle `execute()` result: an array on postgres.js, `{rows}` on PGlite. */
export function firstRow(result: unknown): Record<string, unknown> | undefined {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
  return rows?.[0] as Record<string, unknown> | undefined;
}

/** Every row of a drizzle `execute()` result, whichever driver answered. */
export function allRows(result: unknown): Record<string, unknown>[] {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
  return (rows ?? []) as Record<string, unknown>[];
}
