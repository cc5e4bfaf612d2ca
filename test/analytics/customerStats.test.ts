/**
 * customerStats over HTTP, as the data analyst (dan, purpose analytics): counts from the database,
 * every cell at least k, the planted small cohort recoverable by no differencing, bad input refused,
 * one access-log record per request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logEntries } from '../support/log';
import { plantCohorts } from './cohorts';

let app: TestApp;
let ids: Record<string, string[]>;
beforeAll(async () => {
  app = await startTestApp();
  ids = await plantCohorts(app);
});
afterAll(async () => {
  await app.stop();
});

type Cell = { values: string[]; count: number };
type Stats = { k: number; suppressedCells: number; suppressedRows: number; cells: Cell[] };

async function stats(groupBy: string[], filter?: Record<string, string>, operationName = 'Stats'): Promise<Stats> {
  const r = await gql(app.url, `query ${operationName}($g: [StatDimension!]!, $f: CustomerFilter) { customerStats(groupBy: $g, filter: $f) { k suppressedCells suppressedRows cells { values count } } }`, {
    token: app.tokens.dan, purpose: 'analytics', variables: { g: groupBy, f: filter ?? null }, operationName,
  });
  expect(r.errors).toBeUndefined();
  return r.data!.customerStats as Stats;
}

const count = (s: Stats, ...values: string[]) => s.cells.find((c) => c.values.join('|') === values.join('|'))?.count;
const sumWhere = (s: Stats, at: number, value: string) => s.cells.filter((c) => c.values[at] === value).reduce((n, c) => n + c.count, 0);

describe('customerStats: counts by group, at least k', () => {
  it('counts consenting customers only, and shows the cohorts above k', async () => {
    const s = await stats(['SEGMENT']);
    expect(s.k).toBe(10);
    // a (12) + b (11); c is below k, d never consented to analytics.
    expect(count(s, 'research')).toBe(23);
    const byTier = await stats(['SEGMENT', 'LOYALTY_TIER', 'BIRTH_DECADE']);
    expect(count(byTier, 'research', 'gold', '1980s')).toBe(12);
    expect(count(byTier, 'research', 'silver', '1990s')).toBe(11);
  });

  it('the demo data shows its analytics panel (groups of 15)', async () => {
    const s = await stats(['SEGMENT', 'COUNTRY', 'LOYALTY_TIER']);
    expect(count(s, 'consumer', 'FR', 'gold')).toBeGreaterThanOrEqual(15);
    expect(count(s, 'enterprise', 'ES', 'bronze')).toBeGreaterThanOrEqual(15);
  });

  it('returns no cell below k, in any grouping', async () => {
    const groupings = [['SEGMENT'], ['COUNTRY'], ['LOYALTY_TIER'], ['BIRTH_DECADE'], ['PREFERENCE'], ['SEGMENT', 'COUNTRY'], ['COUNTRY', 'PREFERENCE'], ['SEGMENT', 'COUNTRY', 'BIRTH_DECADE'], ['LOYALTY_TIER', 'BIRTH_DECADE', 'PREFERENCE']];
    for (const g of groupings) {
      const s = await stats(g);
      for (const cell of s.cells) expect(cell.count, `${g.join(',')}: ${cell.values.join(',')}`).toBeGreaterThanOrEqual(10);
      expect(s.suppressedRows).toBeGreaterThanOrEqual(3);
    }
  });

  it('shows countries and decades by name although both are stored encrypted', async () => {
    const s = await stats(['COUNTRY', 'BIRTH_DECADE'], { segment: 'research' });
    expect(s.cells).toEqual([{ values: ['NO', '1980s'], count: 12 }, { values: ['NO', '1990s'], count: 11 }]);
  });

  it('counts a customer once under each of their preferences', async () => {
    const s = await stats(['PREFERENCE'], { segment: 'research' });
    expect(s.cells).toEqual([{ values: ['eco-delivery'], count: 11 }, { values: ['newsletter'], count: 23 }]);
  });
});

describe('differencing recovers no suppressed cell (the Iceland cohort of 3)', () => {
  it('one dimension less: the coarse count is the sum of the finer cells shown', async () => {
    const coarse = await stats(['SEGMENT']);
    const fine = await stats(['SEGMENT', 'COUNTRY']);
    expect(fine.cells.some((c) => c.values[1] === 'IS')).toBe(false);
    expect(count(coarse, 'research')! - sumWhere(fine, 0, 'research')).toBe(0);
    const finer = await stats(['SEGMENT', 'COUNTRY', 'LOYALTY_TIER']);
    expect(count(coarse, 'research')! - sumWhere(finer, 0, 'research')).toBe(0);
  });

  it('with and without a filter: the difference is a sum of cells shown', async () => {
    const all = await stats(['SEGMENT']);
    const norway = await stats(['SEGMENT'], { country: 'NO' });
    const iceland = await stats(['SEGMENT'], { country: 'is' });
    expect(iceland.cells).toEqual([]);
    expect(count(all, 'research')! - count(norway, 'research')!).toBe(0);
    const decadeAll = await stats(['BIRTH_DECADE'], { segment: 'research' });
    const decadeNorway = await stats(['BIRTH_DECADE'], { segment: 'research', country: 'NO' });
    expect(decadeAll.cells).toEqual(decadeNorway.cells);
  });

  it('the withheld totals do not depend on the query, so comparing them tells nothing either', async () => {
    const seen = new Set<string>();
    for (const [g, f] of [[['SEGMENT'], undefined], [['COUNTRY'], { segment: 'research' }], [['PREFERENCE'], { country: 'IS' }], [['SEGMENT', 'COUNTRY', 'BIRTH_DECADE'], undefined]] as const) {
      const s = await stats([...g], f);
      seen.add(`${s.suppressedCells}/${s.suppressedRows}`);
    }
    expect(seen.size).toBe(1);
  });

  it('preferences summed over a cohort match the cohort, with nothing of Iceland', async () => {
    const prefs = await stats(['COUNTRY', 'PREFERENCE'], { segment: 'research' });
    expect(prefs.cells).toEqual([{ values: ['NO', 'eco-delivery'], count: 11 }, { values: ['NO', 'newsletter'], count: 23 }]);
  });
});

describe('customerStats refuses bad input, naming the argument and the rule', () => {
  const ask = (groupBy: string[], filter?: Record<string, string>, who = { token: '', purpose: 'analytics' }) =>
    gql(app.url, 'query Q($g: [StatDimension!]!, $f: CustomerFilter) { customerStats(groupBy: $g, filter: $f) { cells { count } } }', {
      token: who.token || app.tokens.dan, purpose: who.purpose, variables: { g: groupBy, f: filter ?? null },
    });

  it('groupBy empty, repeated, or more than 3 dimensions', async () => {
    for (const [g, rule] of [[[], /at least one dimension/], [['SEGMENT', 'SEGMENT'], /twice/], [['SEGMENT', 'COUNTRY', 'LOYALTY_TIER', 'PREFERENCE'], /at most 3 dimensions/]] as const) {
      const r = await ask([...g]);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0].extensions).toMatchObject({ field: 'groupBy' });
      expect(r.errors![0].message).toMatch(rule);
    }
    expect(codes(await ask(['SHOE_SIZE']))).toEqual(['BAD_USER_INPUT']);
  });

  it('a filter on an attribute the analyst may not read, and filters beyond the dimensions', async () => {
    const search = await ask(['SEGMENT'], { search: 'Planted' });
    expect(codes(search)).toEqual(['FORBIDDEN_FIELD']);
    expect(search.errors![0].extensions).toMatchObject({ field: 'Customer.fullName', purpose: 'analytics' });
    expect(search.errors![0].message).not.toContain('Planted');
    const email = await ask(['SEGMENT'], { email: 'someone@example.com' });
    expect(codes(email)).toEqual(['FORBIDDEN_FIELD']);
    expect(JSON.stringify(email.errors)).not.toContain('someone@example.com');
    const fourth = await ask(['LOYALTY_TIER', 'BIRTH_DECADE', 'PREFERENCE'], { country: 'NO' });
    expect(codes(fourth)).toEqual(['BAD_USER_INPUT']);
    expect(fourth.errors![0].extensions).toMatchObject({ field: 'filter' });
    const country = await ask(['SEGMENT'], { country: 'Atlantis' });
    expect(country.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.country' });
    expect(JSON.stringify(country.errors)).not.toContain('Atlantis');
  });

  it('a dimension the purpose may not read (marketing cannot read the country)', async () => {
    const r = await ask(['COUNTRY'], undefined, { token: app.tokens.mia, purpose: 'marketing' });
    expect(codes(r)).toEqual(['FORBIDDEN_FIELD']);
    expect(r.errors![0].extensions).toMatchObject({ field: 'Customer.address.country', purpose: 'marketing' });
  });

  it('without a purpose, or with a purpose the caller may not use', async () => {
    expect(codes(await ask(['SEGMENT'], undefined, { token: app.tokens.dan, purpose: '' }))).toEqual(['PURPOSE_REQUIRED']);
    expect(codes(await ask(['SEGMENT'], undefined, { token: app.tokens.dan, purpose: 'marketing' }))).toEqual(['PURPOSE_NOT_ALLOWED']);
  });
});

describe('an aggregate request is logged like everything else', () => {
  it('one access-log record: who and why once, the dimensions read, every customer counted under their real id', async () => {
    await stats(['COUNTRY', 'BIRTH_DECADE'], { segment: 'research' }, 'LoggedStats');
    const entries = await logEntries(app, { operationName: 'LoggedStats' });
    expect(new Set(entries.map((e) => e.requestId)).size).toBe(1);
    expect(new Set(entries.map((e) => e.id.split('.')[0])).size).toBe(1);
    // The filtered population: cohorts a, b and c (c counted in no cell, but its attributes were grouped).
    expect(entries.map((e) => e.subjectId).sort()).toEqual([...ids.a!, ...ids.b!, ...ids.c!].sort());
    for (const e of entries) expect(e).toMatchObject({ purpose: 'analytics', actor: { id: 'dan' }, subjectType: 'Customer', fieldsRead: ['address.country', 'birthYear', 'segment'], decision: 'allowed' });
  });
});
