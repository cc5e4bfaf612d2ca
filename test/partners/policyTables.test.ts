/**
 * Runs the partner policy test tables (policies/partners/tests/*_test.yaml), one vitest test per row,
 * against the internal policy plus the partner roles built from the agreements.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartnerRegistry } from '../../src/partners';
import { loadPolicies } from '../../src/policy';
import { evaluateCase } from '../../src/policy';
import { loadTestTable } from '../../src/policy';

const dir = join(__dirname, '../../policies');
const registry = PartnerRegistry.load(join(dir, 'partners'), loadPolicies(dir));
const policies = registry.policies;
const tablesDir = join(dir, 'partners', 'tests');
const tables = readdirSync(tablesDir).filter((f) => f.endsWith('_test.yaml')).sort();

describe('partner policy test tables', () => {
  it('has a table for every agreement', () => {
    expect(tables).toEqual(registry.list().map((a) => `${a.id}_test.yaml`));
  });

  for (const name of tables) {
    for (const c of loadTestTable(join(tablesDir, name), policies)) {
      it(`${name}: ${c.it}`, () => {
        const wrong = evaluateCase(policies, c)
          .filter((o) => !o.ok)
          .map((o) => `${c.action} ${c.subjectType}${o.field ? `.${o.field}` : ''}: ${o.allowed ? 'allowed' : 'denied'} (${o.reason})`);
        expect(wrong, `expected ${c.expect}${c.reason ? ` with reason containing "${c.reason}"` : ''}`).toEqual([]);
      });
    }
  }
});
