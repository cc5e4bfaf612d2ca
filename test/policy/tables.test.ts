/**
 * Runs every policy test table (policies/tests/*_test.yaml): one vitest test per row, named
 * "<file>: <row it>", against the real policies. A policy change that breaks a row fails here.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/policy';
import { evaluateCase } from '../../src/policy';
import { loadTestTable } from '../../src/policy';

const dir = join(__dirname, '../../policies');
const policies = loadPolicies(dir);
const tables = readdirSync(join(dir, 'tests'))
  .filter((f) => f.endsWith('_test.yaml'))
  .sort();

describe('policy test tables', () => {
  it('finds the tables', () => {
    expect(tables.length).toBeGreaterThanOrEqual(9);
  });

  for (const name of tables) {
    const cases = loadTestTable(join(dir, 'tests', name), policies);
    for (const c of cases) {
      it(`${name}: ${c.it}`, () => {
        const outcomes = evaluateCase(policies, c);
        const wrong = outcomes
          .filter((o) => !o.ok)
          .map((o) => `${c.action} ${c.subjectType}${o.field ? `.${o.field}` : ''}: ${o.allowed ? 'allowed' : 'denied'} (${o.reason})`);
        expect(wrong, `expected ${c.expect}${c.reason ? ` with reason containing "${c.reason}"` : ''}`).toEqual([]);
      });
    }
  }
});
