/**
 * policies/retention.yaml: the test table beside it (date × record → kept or disposed, against the
 * filters the disposal job queries with), and every bad file refused at load naming file and key.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateRetentionCase, loadRetention, loadRetentionTable } from '../../src/lifecycle';
import { copyPolicies, POLICY_DIR, type PolicyCopy } from '../policy/policyCopy';

const schedule = loadRetention(POLICY_DIR);

describe('the retention test table (policies/retention_test.yaml)', () => {
  const cases = loadRetentionTable(join(POLICY_DIR, 'retention_test.yaml'), schedule);
  it('covers every rule of the schedule', () => {
    expect(new Set(cases.map((c) => c.rule.id))).toEqual(new Set(schedule.rules.map((r) => r.id)));
  });
  for (const c of cases) {
    it(`${c.rule.id}: ${c.it}`, () => {
      expect(evaluateRetentionCase(c)).toBe(c.expect);
    });
  }
});

describe('a bad retention.yaml is refused at load, naming file and key', () => {
  let copy: PolicyCopy | null = null;
  afterEach(() => {
    copy?.remove();
    copy = null;
  });
  const refused = (edit: (c: PolicyCopy) => void) => {
    copy = copyPolicies();
    edit(copy);
    return () => loadRetention(copy!.dir);
  };
  const file = () => join(copy!.dir, 'retention.yaml');

  it('an unknown data kind', () => {
    const load = refused((c) => c.edit('retention.yaml', 'data: tasks', 'data: tickets'));
    expect(load).toThrow(`${file()}: rules.closed-tasks.data: unknown data kind "tickets"`);
  });
  it('a bad ISO 8601 duration', () => {
    const load = refused((c) => c.edit('retention.yaml', 'keepFor: P1Y\n    after: closed', 'keepFor: 1 year\n    after: closed'));
    expect(load).toThrow(`${file()}: rules.closed-tasks.keepFor: must be an ISO 8601 duration`);
  });
  it('a duration with no unit after T', () => {
    const load = refused((c) => c.edit('retention.yaml', 'keepFor: P7D', 'keepFor: P7DT'));
    expect(load).toThrow(`${file()}: rules.delivered-messages.keepFor: must be an ISO 8601 duration`);
  });
  it('a missing legal basis', () => {
    const load = refused((c) => c.edit('retention.yaml', /(closed-tasks:[\s\S]*?)\n    legalBasis: legitimate-interests/, '$1'));
    expect(load).toThrow(`${file()}: rules.closed-tasks.legalBasis: is required`);
  });
  it('an access-log rule below its minimum', () => {
    const load = refused((c) => c.edit('retention.yaml', /(access-log:\n    data: accessLog\n    keepFor: )P6Y/, '$1P2Y'));
    expect(load).toThrow(`${file()}: rules.access-log.keepFor: accessLog is kept as proof: at least P3Y (received P2Y)`);
  });
  it('the access log deleted instead of pruned', () => {
    const load = refused((c) => c.edit('retention.yaml', /(access-log:[\s\S]*?action: )prune/, '$1delete'));
    expect(load).toThrow(`${file()}: rules.access-log.action: data kind accessLog may only be disposed of by prune`);
  });
  it('an event the data kind does not have', () => {
    const load = refused((c) => c.edit('retention.yaml', 'after: closed', 'after: created'));
    expect(load).toThrow(`${file()}: rules.closed-tasks.after: data kind tasks counts from closed`);
  });
  it('a kind of data with no rule', () => {
    const load = refused((c) => c.edit('retention.yaml', /  expired-codes:[\s\S]*?reason: [^\n]*\n/, ''));
    expect(load).toThrow(`${file()}: rules: no rule for data kind verificationCodes`);
  });
  it('a misspelt key', () => {
    const load = refused((c) => c.edit('retention.yaml', 'keepFor: P1Y\n    after: closed', 'keepfor: P1Y\n    after: closed'));
    expect(load).toThrow(`${file()}: rules.closed-tasks: unknown key "keepfor"`);
  });
});
