/** Leak checks of one response row: every attribute it carries must be readable for the persona. */

/** The attribute paths of a row that carry a value (`address.street`, `consents`), `id` left out. */
export function valuedPaths(row: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined || (!prefix && k === 'id')) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && !Array.isArray(v)) out.push(...valuedPaths(v as Record<string, unknown>, path));
    else out.push(path);
  }
  return out;
}

/** Paths of the row not granted: a path is granted when it, or an object above it, is in `allowed`. */
export function leakedPaths(row: Record<string, unknown>, allowed: ReadonlySet<string>): string[] {
  return valuedPaths(row).filter((path) => {
    const parts = path.split('.');
    for (let i = parts.length; i > 0; i -= 1) if (allowed.has(parts.slice(0, i).join('.'))) return false;
    return true;
  });
}
