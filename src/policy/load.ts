/**
 * Loading `policies/`: YAML files parsed and validated (zod shapes, then cross references), role
 * rules precompiled. Any problem is a PolicyLoadError naming the file, the key path and the rule;
 * the process must then refuse to start.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import type { CompiledRule, ConsentKeyDef, FieldDef, PolicySet, PurposeDef, RoleDef } from '../core/policyModel';
import { RESTRICTED_CATEGORIES } from '../core/policyModel';
import { compileRole } from './compile';
import { formatKeyPath, PolicyLoadError } from './errors';
import { fieldsFileSchema, purposesFileSchema, roleFileSchema } from './schemas';

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

/** The default policies directory, relative to the working directory. */
export const DEFAULT_POLICY_DIR = 'policies';

/**
 * Load and validate `purposes.yaml`, `fields.yaml` and `roles/*.yaml` from `dir` (default `policies`).
 * Synchronous. Throws PolicyLoadError naming the file, the key path and the rule on the first problem;
 * the caller must then refuse to start. `tests/` and `partners/` are not read here.
 */
export function loadPolicies(dir: string = DEFAULT_POLICY_DIR): PolicySet {
  const files: YamlFile<unknown>[] = [];

  const purposesFile = readYamlFile(join(dir, 'purposes.yaml'), purposesFileSchema);
  const fieldsFile = readYamlFile(join(dir, 'fields.yaml'), fieldsFileSchema);
  files.push(purposesFile, fieldsFile);

  const consentKeys = new Map<string, ConsentKeyDef>();
  for (const [key, def] of Object.entries(fieldsFile.data.consentKeys))
    consentKeys.set(key, { key, description: def.description, textVersion: def.textVersion });
  if (!consentKeys.has('storage'))
    throw new PolicyLoadError(fieldsFile.file, 'consentKeys', 'must define "storage" (needed to hold any record)');

  const fields = new Map<string, FieldDef>();
  for (const [path, def] of Object.entries(fieldsFile.data.attributes)) fields.set(path, { path, ...def });
  for (const path of fields.keys()) {
    if (fields.has(path.split('.').slice(0, -1).join('.')))
      throw new PolicyLoadError(fieldsFile.file, `attributes[${JSON.stringify(path)}]`, 'a leaf cannot sit under another leaf');
  }

  const purposes = new Map<string, PurposeDef>();
  for (const [id, def] of Object.entries(purposesFile.data.purposes)) {
    if (def.consent && !consentKeys.has(def.consent))
      throw new PolicyLoadError(purposesFile.file, `purposes.${id}.consent`, `unknown consent key "${def.consent}" (not in fields.yaml consentKeys)`);
    purposes.set(id, {
      id,
      description: def.description,
      requiresTask: def.requiresTask,
      consent: def.consent ?? null,
      legalBasis: def.legalBasis,
      limits: def.limits,
      k: def.k,
      pseudonymous: def.pseudonymous,
    });
  }

  const roles = new Map<string, RoleDef>();
  const compiled = new Map<string, Map<string, CompiledRule[]>>();
  const rolesDir = join(dir, 'roles');
  const roleFiles = existsSync(rolesDir) ? readdirSync(rolesDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  if (!roleFiles.length) throw new PolicyLoadError(rolesDir, '', 'no role files (roles/*.yaml)');
  for (const name of roleFiles) {
    const file = readYamlFile(join(rolesDir, name), roleFileSchema);
    files.push(file);
    const { role, compiled: rules } = compileRole(file.file, file.data, { purposes, fields });
    if (roles.has(role.id)) throw new PolicyLoadError(file.file, 'role', `duplicate role "${role.id}"`);
    roles.set(role.id, role);
    compiled.set(role.id, rules);
  }

  const all = [...fields.values()];
  return {
    dir,
    version: hashFiles(dir, files),
    purposes,
    fields,
    roles,
    allowedPreferences: [...fieldsFile.data.allowedPreferences],
    consentKeys,
    restricted: all.filter((f) => RESTRICTED_CATEGORIES.includes(f.category)).map((f) => f.path),
    neverReadable: all.filter((f) => f.neverReadable).map((f) => f.path),
    compiled,
  };
}

function hashFiles(dir: string, files: YamlFile<unknown>[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(relative(dir, f.file)).update('\0').update(f.text).update('\0');
  return hash.digest('hex').slice(0, 16);
}
