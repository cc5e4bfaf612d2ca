import { describe, expect, it } from 'vitest';
import { validateHealth } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('validateHealth', () => {
  it('trims conditions, keeps line breaks in notes, keeps null as "clear" and omits absent parts', () => {
    expect(validateHealth({ conditions: [' asthma ', 'type 2 diabetes'], notes: 'Line one\nLine two' })).toEqual({
      conditions: ['asthma', 'type 2 diabetes'],
      notes: 'Line one\nLine two',
    });
    expect(validateHealth({ notes: null })).toEqual({ notes: null });
    expect(validateHealth({})).toEqual({});
  });

  const bad: Array<[string, unknown, string, RegExp, string[]]> = [
    ['a non-object', 'asthma', 'input.health', /must be an object/, ['asthma']],
    ['conditions not a list', { conditions: 'asthma' }, 'input.health.conditions', /must be a list/, ['asthma']],
    ['too many conditions', { conditions: Array.from({ length: 51 }, (_, i) => `condition ${i}`) }, 'input.health.conditions', /at most 50 entries/, ['condition 1']],
    ['an empty condition', { conditions: ['asthma', '  '] }, 'input.health.conditions[1]', /1 to 200 characters/, ['asthma']],
    ['a condition over 200 characters', { conditions: ['hypertension '.repeat(16)] }, 'input.health.conditions[0]', /1 to 200 characters/, ['hypertension']],
    ['a condition with a line break', { conditions: ['asthma\nsevere'] }, 'input.health.conditions[0]', /control characters or line breaks/, ['asthma']],
    ['notes over 2000 characters', { notes: 'Allergic to penicillin. '.repeat(90) }, 'input.health.notes', /at most 2000 characters/, ['penicillin']],
    ['notes with a control character', { notes: 'Allergic to penicillin\u0007' }, 'input.health.notes', /control characters \(other than tabs and line breaks\)/, ['penicillin']],
    ['a non-string note', { notes: 12 }, 'input.health.notes', /must be a string/, []],
  ];
  for (const [what, value, field, rule, secrets] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      expectInputError(() => validateHealth(value), field, rule, secrets);
    });
  }

  it('takes a custom maximum number of conditions', () => {
    expectInputError(() => validateHealth({ conditions: ['a1', 'b2'] }, 'input.health', { maxConditions: 1 }), 'input.health.conditions', /at most 1 entries/, []);
  });
});
