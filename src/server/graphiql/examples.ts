/**
 * Example operations for GraphiQL's Purpose panel, read once at startup from
 * `test/operations/<audience>/*.graphql` (the operations the tests run). A file may start with
 * comment lines `# purpose: <id>` (the purpose it is for; default: any) and `# variables: <json>`.
 * A missing folder gives no examples (a deployment without the tests).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GraphiQLExample {
  /** The file name without `.graphql`, e.g. `CustomerStats`. */
  name: string;
  /** The purpose it is for, or null for any. */
  purpose: string | null;
  query: string;
  /** Variables as JSON text, or empty. */
  variables: string;
}

/** The examples of the folders `dirs` (relative to `root`), sorted by purpose and name. */
export function loadExamples(root: string, dirs: readonly string[]): GraphiQLExample[] {
  const out: GraphiQLExample[] = [];
  for (const dir of dirs) {
    const path = join(root, dir);
    if (!existsSync(path)) continue;
    for (const file of readdirSync(path).filter((f) => f.endsWith('.graphql')).sort()) {
      const query = readFileSync(join(path, file), 'utf8');
      const purpose = /^# purpose: ([a-z0-9-]+)\s*$/m.exec(query)?.[1] ?? null;
      const variables = /^# variables: (.+)$/m.exec(query)?.[1]?.trim() ?? '';
      if (variables) JSON.parse(variables); // a broken example fails at startup, not in the browser
      out.push({ name: file.replace(/\.graphql$/, ''), purpose, query, variables: variables ? JSON.stringify(JSON.parse(variables), null, 2) : '' });
    }
  }
  return out.sort((a, b) => (a.purpose ?? '').localeCompare(b.purpose ?? '') || a.name.localeCompare(b.name));
}

/** The example folders of an audience: `staff`, `self`, and every `partner-<id>` for partners. */
export function exampleDirs(root: string, audience: 'staff' | 'self' | 'partner'): string[] {
  if (audience !== 'partner') return [audience];
  return existsSync(root) ? readdirSync(root).filter((d) => d.startsWith('partner-')).sort() : [];
}
