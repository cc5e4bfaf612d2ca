/** The attribute leaves an input touches: `address: { city }` touches `address.city`. */
export function inputLeaves(input: Record<string, unknown>, groups: Record<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const children = groups[key];
    if (!children) {
      out.push(key);
    } else if (value === null) {
      out.push(...children.map((c) => `${key}.${c}`));
    } else {
      for (const c of children) if ((value as Record<string, unknown>)[c] !== undefined) out.push(`${key}.${c}`);
    }
  }
  return out;
}
