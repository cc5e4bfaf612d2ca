import type { Principal } from '../auth/principal';
import type { TaskScope } from './types';

/**
 * Placeholders allowed as whole string values in rule conditions. They are filled per request:
 * - `{{principal.id}}`: the caller's id (token `sub`);
 * - `{{principal.partner}}`: the caller's partner id (kind partner);
 * - `{{task.id}}`: the request's task id;
 * - `{{task.customerIds}}`: the task's customer ids (an array, e.g. inside `$in`).
 */
export const PLACEHOLDERS = ['principal.id', 'principal.partner', 'task.id', 'task.customerIds'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PATTERN = /^\{\{\s*([\w.]+)\s*\}\}$/;

/** The placeholder a string value names, or null; an unknown name gives `unknown`. */
export function placeholderIn(value: string): Placeholder | 'unknown' | null {
  if (!value.includes('{{')) return null;
  const m = PATTERN.exec(value);
  if (!m) return 'unknown';
  return (PLACEHOLDERS as readonly string[]).includes(m[1]!) ? (m[1] as Placeholder) : 'unknown';
}

/** Every string value in a conditions object, with its key path. */
export function* stringValues(value: unknown, path: (string | number)[] = []): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringValues(value[i], [...path, i]);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* stringValues(v, [...path, k]);
}

export interface PlaceholderValues {
  principal: Principal | null;
  task: TaskScope | null;
}

/**
 * Resolve one placeholder. Missing values fail closed: an absent task gives no customer ids
 * (matches nothing); an absent principal id gives a value no document holds.
 */
function valueOf(name: Placeholder, v: PlaceholderValues): unknown {
  switch (name) {
    case 'principal.id':
      return v.principal?.id ?? '\u0000no-principal';
    case 'principal.partner':
      return v.principal?.partner ?? '\u0000no-partner';
    case 'task.id':
      return v.task?.id ?? '\u0000no-task';
    case 'task.customerIds':
      return v.task ? [...v.task.customerIds] : [];
  }
}

/** A copy of `value` with every placeholder string replaced. */
export function interpolate(value: unknown, v: PlaceholderValues): unknown {
  if (typeof value === 'string') {
    const name = placeholderIn(value);
    return name && name !== 'unknown' ? valueOf(name, v) : value;
  }
  if (Array.isArray(value)) return value.map((x) => interpolate(x, v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) out[k] = interpolate(x, v);
    return out;
  }
  return value;
}
