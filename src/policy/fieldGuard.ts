import type { AnyAbility } from '@casl/ability';
import type { AuditBuffer } from '../audit/auditBuffer';
import { decide } from './decide';
import type { AppAbility } from './types';
import { ErrorCode, SafeError } from '../server/errors';

interface Denial {
  field: string;
  count: number;
  reason: string;
}

type Doc = { _id: string } & Record<string, unknown>;

/**
 * The one field guard: every customer attribute asks it before it resolves. Built once per request.
 * Allowed → recorded as read. Denied → recorded as denied, resolves to null, and counted under its
 * field coordinate so the response carries one FORBIDDEN_FIELD error per coordinate, not per row.
 */
export class FieldGuard {
  private readonly denials = new Map<string, Denial>();
  /** Per document, whether each conditional rule matches it: evaluated once per row, not once per field. */
  private readonly matched = new WeakMap<object, Map<object, boolean>>();

  constructor(
    private readonly ability: AnyAbility,
    private readonly audit: AuditBuffer,
    private readonly purpose: string | null,
  ) {}

  /**
   * `ability.can('read', subject(type, doc), path)`, with each rule's conditions evaluated once per
   * document: the first rule (by CASL's priority) that matches decides, as in `relevantRuleFor`.
   */
  private can(subjectType: string, doc: Doc, path: string): boolean {
    const rules = this.ability.rulesFor('read', subjectType, path);
    let memo = this.matched.get(doc);
    for (const rule of rules) {
      let hit: boolean | undefined = true;
      if (rule.conditions) {
        if (!memo) this.matched.set(doc, (memo = new Map()));
        hit = memo.get(rule);
        if (hit === undefined) memo.set(rule, (hit = rule.matchesConditions(doc)));
      }
      if (hit) return !rule.inverted;
    }
    return false;
  }

  /** May `path` of this subject be read? Records the outcome. */
  read(subjectType: string, doc: Doc, path: string): boolean {
    if (this.can(subjectType, doc, path)) {
      this.audit.read(subjectType, doc._id, path);
      return true;
    }
    this.deny(subjectType, doc, path);
    return false;
  }

  /** May any of `paths` (the leaves under an object attribute) be read? Records only a denial of the parent. */
  readAny(subjectType: string, doc: Doc, parent: string, paths: readonly string[]): boolean {
    if (paths.some((p) => this.can(subjectType, doc, p))) return true;
    this.deny(subjectType, doc, parent);
    return false;
  }

  private deny(subjectType: string, doc: Doc, path: string): void {
    const coordinate = `${subjectType}.${path}`;
    let d = this.denials.get(coordinate);
    if (!d) {
      const { reason } = decide(this.ability as AppAbility, 'read', subjectType as 'Customer', doc, path);
      d = { field: coordinate, count: 0, reason };
      this.denials.set(coordinate, d);
    }
    d.count += 1;
    this.audit.denied(subjectType, doc._id, path, d.reason);
  }

  /** One FORBIDDEN_FIELD error per denied field coordinate, with the number of rows affected. */
  errors(): SafeError[] {
    return [...this.denials.values()].map(
      (d) =>
        new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to read ${d.field} for purpose ${this.purpose ?? '(none)'}: ${d.reason}`, {
          field: d.field,
          purpose: this.purpose,
          count: d.count,
          reason: d.reason,
        }),
    );
  }
}
