/** The suppression rule on its own: atoms in, the counted atoms out (at the fixpoint). */
import { describe, expect, it } from 'vitest';
import { cellKeys, countedAtoms, tablesOf, type Atom } from '../../src/analytics/threshold';

const atom = (n: number, values: Atom['values']): Atom => ({ values, ids: Array.from({ length: n }, (_, i) => `x${i}`) });

describe('countedAtoms', () => {
  it('checks every table of 3 of the readable dimensions (10 for 5), or the one table of fewer', () => {
    expect(tablesOf(['SEGMENT', 'COUNTRY', 'LOYALTY_TIER', 'BIRTH_DECADE', 'PREFERENCE'])).toHaveLength(10);
    expect(tablesOf(['SEGMENT', 'COUNTRY'])).toEqual([['SEGMENT', 'COUNTRY']]);
  });

  it('puts a multi-valued atom in one cell per value', () => {
    expect(cellKeys(atom(1, { SEGMENT: ['a'], PREFERENCE: ['p', 'q'] }), ['SEGMENT', 'PREFERENCE'])).toHaveLength(2);
  });

  it('leaves out the atoms in a cell below k, and keeps the others', () => {
    const big = atom(12, { SEGMENT: ['a'], COUNTRY: ['FR'] });
    const small = atom(3, { SEGMENT: ['b'], COUNTRY: ['IS'] });
    const { counted, left } = countedAtoms([big, small], ['SEGMENT', 'COUNTRY'], 10);
    expect(counted).toEqual([big]);
    expect(left).toEqual([small]);
  });

  it('repeats until nobody else fails: an atom counted only thanks to one left out is left out next', () => {
    // One table (segment, country, preference). (a, FR, p) holds x + y = 11, (a, FR, q) holds y + w = 7:
    // y and w are left out in the first round, which leaves x alone in (a, FR, p) with 6.
    const x = atom(6, { SEGMENT: ['a'], COUNTRY: ['FR'], PREFERENCE: ['p'] });
    const y = atom(5, { SEGMENT: ['a'], COUNTRY: ['FR'], PREFERENCE: ['p', 'q'] });
    const w = atom(2, { SEGMENT: ['a'], COUNTRY: ['FR'], PREFERENCE: ['q'] });
    const z = atom(20, { SEGMENT: ['c'], COUNTRY: ['DE'], PREFERENCE: ['p', 'q'] });
    const { counted, left } = countedAtoms([x, y, w, z], ['SEGMENT', 'COUNTRY', 'PREFERENCE'], 10);
    expect(counted).toEqual([z]);
    expect(left).toEqual([y, w, x]);
  });
});
