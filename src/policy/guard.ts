/**
 * The field guard of one request: the one path by which guarded attributes are read and written.
 *
 * Reads: `view` makes one pass over a subject document for the fields a query selected. It decides
 * once per class of rows (rows that meet the same rule conditions get the same decisions), puts
 * the allowed values (decrypted where stored encrypted) into the object GraphQL resolves from,
 * null where denied, and records the row as touched (`id` included) with what was read and denied.
 * Writes: `authorize` checks every attribute a mutation writes, all or nothing.
 */
import type { AnyAbility, Rule } from '@casl/ability';
import type { AttributeReader, GuardedField, GuardSpec } from '../core/capability';
import type { Cipher, Guard, Recorder, RequestContext, Selection, SubjectDoc } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { isEncryptedValue, pseudonymOf } from '../crypto';
import type { Action, AppAbility, NamedSubjectType } from '../core/policyModel';
import { subject } from './ability';
import { decide } from './decide';

interface Denial {
  field: string;
  count: number;
  reason: string;
}

type AnyRule = Rule<any, any>;

/** The value at a dotted path of a document. */
export function valueAt(doc: Record<string, unknown>, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let v: unknown = doc;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The document fields a Mongo condition object looks at (operators skipped, `$and`/`$or` entered). */
function conditionKeys(conditions: unknown, out: string[] = []): string[] {
  if (Array.isArray(conditions)) for (const c of conditions) conditionKeys(c, out);
  else if (conditions && typeof conditions === 'object')
    for (const [k, v] of Object.entries(conditions)) {
      if (k === '$and' || k === '$or' || k === '$nor') conditionKeys(v, out);
      else if (!k.startsWith('$')) out.push(k);
    }
  return out;
}

/** A guarded type as the guard uses it: its spec, and per group path the leaf paths under it. */
export interface CompiledSpec {
  spec: GuardSpec;
  leavesOf: ReadonlyMap<string, readonly string[]>;
  /** Every field of the type and of its groups: what an export of the whole subject selects. */
  everything: Selection;
}

/** The specs of several capabilities merged per root type (a field mapped twice is an error). */
export function mergeSpecs(specs: readonly GuardSpec[]): GuardSpec[] {
  const byRoot = new Map<string, GuardSpec>();
  for (const spec of specs) {
    const into = byRoot.get(spec.root);
    if (!into) {
      byRoot.set(spec.root, { ...spec, types: Object.fromEntries(Object.entries(spec.types).map(([t, f]) => [t, { ...f }])), encrypted: { ...spec.encrypted } });
      continue;
    }
    if (into.subjectType !== spec.subjectType) throw new Error(`guard specs of ${spec.root} disagree on the subject type (${into.subjectType}, ${spec.subjectType})`);
    for (const [type, fields] of Object.entries(spec.types)) {
      const target = (into.types[type] ??= {});
      for (const [name, m] of Object.entries(fields)) {
        if (target[name]) throw new Error(`guard specs map ${type}.${name} twice`);
        target[name] = m;
      }
    }
    Object.assign(into.encrypted, spec.encrypted);
  }
  return [...byRoot.values()];
}

/** Prepares the guard specs of the composed schema (done once, at schema construction). */
export function compileSpecs(specs: readonly GuardSpec[], attributePaths: readonly string[]): Map<string, CompiledSpec> {
  const out = new Map<string, CompiledSpec>();
  for (const spec of mergeSpecs(specs)) {
    const leavesOf = new Map<string, string[]>();
    for (const fields of Object.values(spec.types))
      for (const m of Object.values(fields))
        if (m.kind === 'group') leavesOf.set(m.path, attributePaths.filter((p) => p.startsWith(`${m.path}.`)));
    const all = (type: string): Selection =>
      new Map(Object.entries(spec.types[type] ?? {}).map(([name, m]) => [name, m.kind === 'group' ? all(m.type) : null]));
    out.set(spec.root, { spec, leavesOf, everything: all(spec.root) });
  }
  return out;
}

const encryptedCache = new WeakMap<Selection, readonly string[]>();

/** The encrypted stored paths a selection may read (computed values included through `needs`). */
export function encryptedIn(compiled: CompiledSpec, typeName: string, selection: Selection): readonly string[] {
  let out = encryptedCache.get(selection);
  if (out) return out;
  const { spec } = compiled;
  const found = new Set<string>();
  const walk = (type: string, sel: Selection) => {
    for (const [name, sub] of sel) {
      const m = spec.types[type]?.[name];
      if (!m || m.kind === 'id') continue;
      if (m.kind === 'group') walk(m.type, sub ?? new Map());
      else for (const p of m.needs ?? [m.path]) if (spec.encrypted[p]) found.add(p);
    }
  };
  walk(typeName, selection);
  encryptedCache.set(selection, (out = [...found]));
  return out;
}

export interface FieldGuardOptions {
  ability: AppAbility;
  log: Recorder;
  cipher: Cipher;
  /** Guarded root type name → compiled spec (from the composed schema). */
  specs: ReadonlyMap<string, CompiledSpec>;
  /** The request, for computed values (consents, pseudonyms). */
  context: () => RequestContext;
}

export class FieldGuard implements Guard {
  private readonly ability: AnyAbility;
  private readonly denials = new Map<string, Denial>();
  /** subject type → the read rules that carry conditions (their outcomes make a row's class). */
  private readonly conditional = new Map<string, AnyRule[]>();
  /** subject type → row class → attribute path → allowed. */
  private readonly decisions = new Map<string, Map<string, Map<string, boolean>>>();

  constructor(private readonly opts: FieldGuardOptions) {
    this.ability = opts.ability;
  }

  private conditionalRules(subjectType: string): AnyRule[] {
    let rules = this.conditional.get(subjectType);
    if (!rules) this.conditional.set(subjectType, (rules = this.ability.rulesFor('read', subjectType).filter((r) => !!r.conditions)));
    return rules;
  }

  /** The row's class: which conditional rules it meets, evaluated once per row. */
  private classOf(subjectType: string, doc: SubjectDoc): { key: string; meets: ReadonlySet<AnyRule> } {
    const rules = this.conditionalRules(subjectType);
    const meets = new Set<AnyRule>();
    let key = '';
    for (const rule of rules) {
      const hit = rule.matchesConditions(doc);
      key += hit ? '1' : '0';
      if (hit) meets.add(rule);
    }
    return { key, meets };
  }

  /** `ability.can('read', subject(type, doc), path)` for a row of this class (the first relevant rule decides). */
  private allowed(subjectType: string, cls: { key: string; meets: ReadonlySet<AnyRule> }, path: string): boolean {
    let byClass = this.decisions.get(subjectType);
    if (!byClass) this.decisions.set(subjectType, (byClass = new Map()));
    let paths = byClass.get(cls.key);
    if (!paths) byClass.set(cls.key, (paths = new Map()));
    let ok = paths.get(path);
    if (ok === undefined) {
      ok = false;
      for (const rule of this.ability.rulesFor('read', subjectType, path)) {
        if (rule.conditions && !cls.meets.has(rule)) continue;
        ok = !rule.inverted;
        break;
      }
      paths.set(path, ok);
    }
    return ok;
  }

  private deny(subjectType: string, doc: SubjectDoc | null, path: string): void {
    const coordinate = `${subjectType}.${path}`;
    let d = this.denials.get(coordinate);
    if (!d) {
      const { reason } = decide(this.opts.ability, 'read', subjectType as NamedSubjectType, doc ? { ...doc } : null, path);
      d = { field: coordinate, count: 0, reason };
      this.denials.set(coordinate, d);
    }
    d.count += 1;
    this.opts.log.denied(subjectType, doc?._id ?? null, path, d.reason);
  }

  view(typeName: string, doc: SubjectDoc, selection: Selection): Record<string, unknown> | Promise<Record<string, unknown>> {
    const compiled = this.opts.specs.get(typeName);
    if (!compiled) throw new Error(`guard: ${typeName} is not a guarded type`);
    const { cipher } = this.opts;
    if (!cipher.loaded(doc._id) && encryptedIn(compiled, typeName, selection).some((p) => isEncryptedValue(valueAt(doc, p)))) {
      return cipher.preload([doc._id]).then(() => this.pass(compiled, typeName, doc, selection));
    }
    return this.pass(compiled, typeName, doc, selection);
  }

  async prepare(typeName: string, docs: readonly SubjectDoc[], selection: Selection): Promise<void> {
    const compiled = this.opts.specs.get(typeName);
    if (!compiled) throw new Error(`guard: ${typeName} is not a guarded type`);
    const paths = encryptedIn(compiled, typeName, selection);
    if (paths.length === 0) return;
    const ids = docs.filter((d) => !this.opts.cipher.loaded(d._id) && paths.some((p) => isEncryptedValue(valueAt(d, p)))).map((d) => d._id);
    if (ids.length) await this.opts.cipher.preload(ids);
  }

  private pass(compiled: CompiledSpec, typeName: string, doc: SubjectDoc, selection: Selection): Record<string, unknown> {
    const { spec } = compiled;
    const subjectType = spec.subjectType;
    const cls = this.classOf(subjectType, doc);
    // Every row returned is a subject touched: its id is recorded as read, selected or not.
    const read: string[] = ['id'];
    const reader: AttributeReader = (path) => {
      const stored = valueAt(doc, path);
      const encoding = spec.encrypted[path];
      if (stored == null || !encoding || !isEncryptedValue(stored)) return stored; // in clear until `npm run keys:migrate`
      const text = this.opts.cipher.decryptSync(doc._id, path, stored);
      return encoding === 'json' ? JSON.parse(text) : text;
    };
    const fill = (type: string, sel: Selection): Record<string, unknown> => {
      const fields = spec.types[type]!;
      const out: Record<string, unknown> = {};
      for (const [name, sub] of sel) {
        const m: GuardedField | undefined = fields[name];
        if (!m) continue; // __typename
        if (m.kind === 'id') {
          out[name] = this.idOf(doc);
        } else if (m.kind === 'leaf') {
          if (this.allowed(subjectType, cls, m.path)) {
            out[name] = m.value ? m.value(reader, this.opts.context()) : reader(m.path);
            read.push(m.path);
          } else {
            out[name] = null;
            this.deny(subjectType, doc, m.path);
          }
        } else {
          const leaves = compiled.leavesOf.get(m.path) ?? [];
          if (!leaves.some((l) => this.allowed(subjectType, cls, l))) {
            out[name] = null;
            this.deny(subjectType, doc, m.path);
          } else if (valueAt(doc, m.path) == null) {
            out[name] = null;
          } else {
            out[name] = fill(m.type, sub ?? new Map());
          }
        }
      }
      return out;
    };
    const view = fill(typeName, selection);
    this.opts.log.read(subjectType, doc._id, read.length > 1 ? [...new Set(read)].sort() : read);
    return view;
  }

  /** The id a client sees: a pseudonym under pseudonymous purposes (the log keeps the real id). */
  private idOf(doc: SubjectDoc): string {
    const ctx = this.opts.context();
    return ctx.purpose?.pseudonymous ? pseudonymOf(ctx.services.config.pseudonymKey, ctx.purpose.id, doc._id) : doc._id;
  }

  authorize(subjectType: NamedSubjectType, doc: SubjectDoc, action: Action, fields: readonly string[]): void {
    const target = subject(subjectType, { ...doc });
    const purpose = this.opts.context().purpose?.id ?? null;
    if (fields.length === 0) {
      if (this.opts.ability.can(action, target)) return;
      const { reason } = decide(this.opts.ability, action, subjectType, { ...doc }, null);
      this.opts.log.operationDenied(ErrorCode.FORBIDDEN, reason, subjectType, doc._id);
      throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed to ${action} this ${subjectType} for purpose ${purpose}: ${reason}`, { purpose });
    }
    const denied = fields.filter((f) => !this.opts.ability.can(action, target, f));
    if (denied.length === 0) return;
    const subjectId = action === 'create' ? null : doc._id;
    for (const f of denied) this.opts.log.denied(subjectType, subjectId, f);
    const coordinates = denied.map((d) => `${subjectType}.${d}`);
    throw new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to ${action} ${coordinates.join(', ')} for purpose ${purpose}; nothing was written`, {
      field: coordinates[0], fields: coordinates, purpose, count: 1,
    });
  }

  projection(typeName: string, selection: Selection): Record<string, 1> {
    const compiled = this.opts.specs.get(typeName);
    if (!compiled) throw new Error(`guard: ${typeName} is not a guarded type`);
    const { spec } = compiled;
    const paths = new Set<string>(['_id']);
    const walk = (type: string, sel: Selection) => {
      const fields = spec.types[type]!;
      for (const [name, sub] of sel) {
        const m = fields[name];
        if (!m || m.kind === 'id') continue;
        if (m.kind === 'group') {
          if ((compiled.leavesOf.get(m.path) ?? []).some((l) => this.readable(spec.subjectType, l))) paths.add(m.path);
          else if (sub) walk(m.type, sub);
        } else if (this.readable(spec.subjectType, m.path)) for (const p of m.needs ?? [m.path]) paths.add(p);
      }
    };
    walk(typeName, selection);
    for (const rule of this.ability.rulesFor('read', spec.subjectType)) for (const key of conditionKeys(rule.conditions)) paths.add(key);
    const out: Record<string, 1> = {};
    for (const p of paths) if (![...paths].some((q) => p.startsWith(`${q}.`))) out[p] = 1;
    return out;
  }

  everything(typeName: string): Selection {
    const compiled = this.opts.specs.get(typeName);
    if (!compiled) throw new Error(`guard: ${typeName} is not a guarded type`);
    return compiled.everything;
  }

  readable(subjectType: NamedSubjectType, field: string): boolean {
    return this.opts.ability.can('read', subjectType, field);
  }

  errors(): SafeError[] {
    const purpose = this.opts.context().purpose?.id ?? null;
    return [...this.denials.values()].map(
      (d) =>
        new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to read ${d.field} for purpose ${purpose ?? '(none)'}: ${d.reason}`, {
          field: d.field, purpose, count: d.count, reason: d.reason,
        }),
    );
  }
}
