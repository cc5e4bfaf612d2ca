import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import { formatKeyPath, PolicyLoadError } from './errors';

/** A parsed policy file: its path (for messages), raw text (for the version hash) and data. */
export interface YamlFile<T> {
  file: string;
  text: string;
  data: T;
}

/** Parse YAML text; syntax errors become a PolicyLoadError naming the file and line. */
export function parseYaml(file: string, text: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0];
    const where = line ? `line ${line.line}, column ${line.col}` : '';
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new PolicyLoadError(file, where, `invalid YAML: ${message}`);
  }
  return doc.toJS();
}

/** Turn a zod error into a PolicyLoadError for the first issue (file, key path, rule). */
export function zodToLoadError(file: string, error: z.ZodError, input: unknown): PolicyLoadError {
  // A misspelt key explains the "required" issue it causes: report it first.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  let message = issue.message;
  if (issue.code !== 'unrecognized_keys' && valueAt(input, issue.path) === undefined) message = 'is required';
  if (issue.code === 'unrecognized_keys') message = `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return new PolicyLoadError(file, formatKeyPath(issue.path), message);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Read, parse and validate one policy file. */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S): YamlFile<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PolicyLoadError(file, '', `cannot read file (${code})`);
  }
  const raw = parseYaml(file, text) ?? {};
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw zodToLoadError(file, parsed.error, raw);
  return { file, text, data: parsed.data };
}
