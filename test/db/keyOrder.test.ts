/**
 * The embedded store's key order (no server involved): mongod's BSON order between types and
 * within them, and compound keys stored as strings sort exactly as their values do.
 */
import { describe, expect, it } from 'vitest';
import { Decimal128, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { compareValues } from '../../src/db/embedded/storage/bsonOrder';
import { decodeKey, encodeKey } from '../../src/db/embedded/storage/keyString';

const sign = (n: number) => Math.sign(n);

describe('BSON order', () => {
  it('orders types as mongod does', () => {
    const ascending = [new MinKey(), null, NaN, -Infinity, -1, 0, 2.5, Infinity, '', 'a', 'b', { a: 1 }, [1], new ObjectId('000000000000000000000000'), false, true, new Date(0), new MaxKey()];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect(sign(compareValues(ascending[i], ascending[j])), `${i} vs ${j}`).toBe(sign(i - j));
      }
    }
  });

  it('compares numbers of every width by exact value', () => {
    expect(compareValues(Long.fromString('9007199254740993'), 9007199254740992)).toBe(1);
    expect(compareValues(Decimal128.fromString('5.0'), 5)).toBe(0);
    expect(compareValues(Decimal128.fromString('0.1'), 0.1)).toBe(-1);
    expect(compareValues(-0, 0)).toBe(0);
  });

  it('compares strings by code point, not by UTF-16 unit', () => {
    expect(compareValues('\uffff', '\u{1F600}')).toBe(-1);
    expect(compareValues('Z', 'a')).toBe(-1);
  });
});

describe('compound keys stored as strings', () => {
  const values = [null, undefined, NaN, -1e300, -2, -0.5, 0, 1, 1.5, 2 ** 60, Infinity, '', 'a', 'a\u0000', 'ab', 'é', '\u{1F600}', true, false, new Date(-5), new Date(1_700_000_000_000), new ObjectId('000000000000000000000001'), new ObjectId('ffffffffffffffffffffff00')];
  const tuples: unknown[][] = [];
  for (const a of values) for (const b of values) tuples.push([a, b]);

  for (const directions of [
    [1, 1],
    [1, -1],
    [-1, 1],
  ]) {
    it(`sort as their values, directions ${JSON.stringify(directions)}`, () => {
      const byValue = (x: unknown[], y: unknown[]) => {
        for (let i = 0; i < x.length; i++) {
          const c = compareValues(x[i], y[i]);
          if (c) return sign(c * directions[i]);
        }
        return 0;
      };
      for (let i = 0; i < tuples.length; i += 7) {
        for (let j = 0; j < tuples.length; j += 5) {
          const x = encodeKey(tuples[i], directions)!;
          const y = encodeKey(tuples[j], directions)!;
          expect(sign(x < y ? -1 : x > y ? 1 : 0), JSON.stringify([tuples[i], tuples[j]])).toBe(byValue(tuples[i], tuples[j]));
        }
      }
    });
  }

  it('decode back to the same values', () => {
    for (const t of tuples) {
      const back = decodeKey(encodeKey(t, [1, -1])!, [1, -1]);
      expect(back.map((v, i) => compareValues(v, t[i]))).toEqual([0, 0]);
    }
  });

  it('leave other types as values', () => {
    expect(encodeKey([{ a: 1 }, 1], [1, 1])).toBeUndefined();
    expect(encodeKey([Long.fromString('9007199254740993'), 1], [1, 1])).toBeUndefined();
  });
});
