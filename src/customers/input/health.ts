import { InputError } from '../../core/errors';
import { boundedText } from './text';

export interface HealthInput {
  conditions?: string[] | null;
  notes?: string | null;
}

export interface NormalisedHealth {
  conditions?: string[] | null;
  notes?: string | null;
}

/** Limits on health entries. Defaults: 50 conditions of 1..200 characters, notes up to 2000. */
export interface HealthLimits {
  /** Maximum number of conditions. Default 50. */
  maxConditions?: number;
  /** Maximum length of one condition, in characters. Default 200. */
  maxConditionLength?: number;
  /** Maximum length of the notes, in characters. Default 2000. */
  maxNotesLength?: number;
}

export const DEFAULT_HEALTH_LIMITS: Required<HealthLimits> = { maxConditions: 50, maxConditionLength: 200, maxNotesLength: 2000 };

/**
 * Validates health entries. `conditions`: a list of at most N entries, each 1..200 characters, no
 * control characters. `notes`: at most 2000 characters, line breaks and tabs allowed, no other control
 * characters. A null part stays null (clears it); an absent part stays absent.
 */
export function validateHealth(value: unknown, field = 'input.health', limits: HealthLimits = {}): NormalisedHealth {
  const l = { ...DEFAULT_HEALTH_LIMITS, ...limits };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(field, 'must be an object');
  const input = value as HealthInput;
  const out: NormalisedHealth = {};
  if (input.conditions === null) out.conditions = null;
  else if (input.conditions !== undefined) {
    if (!Array.isArray(input.conditions)) throw new InputError(`${field}.conditions`, 'must be a list');
    if (input.conditions.length > l.maxConditions) {
      throw new InputError(`${field}.conditions`, `must have at most ${l.maxConditions} entries`);
    }
    out.conditions = input.conditions.map((c, i) =>
      boundedText(c, `${field}.conditions[${i}]`, { min: 1, max: l.maxConditionLength }),
    );
  }
  if (input.notes === null) out.notes = null;
  else if (input.notes !== undefined) {
    out.notes = boundedText(input.notes, `${field}.notes`, { min: 0, max: l.maxNotesLength, allowNewlines: true });
  }
  return out;
}
