import { expect } from 'vitest';
import { ErrorCode, InputError } from '../../../src/core/errors';

/**
 * Runs `fn` and asserts it throws an InputError (BAD_USER_INPUT) that names `field` and a rule matching
 * `rule`, and whose message and extensions contain none of `secrets` (the bad value and its parts).
 */
export function expectInputError(fn: () => unknown, field: string, rule: RegExp, secrets: string[]): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected an InputError').toBeInstanceOf(InputError);
  const err = caught as InputError;
  expect(err.field).toBe(field);
  expect(err.message).toContain(`"${field}"`);
  expect(err.rule).toMatch(rule);
  expect(err.message).toContain(err.rule);
  expect(err.extensions.code).toBe(ErrorCode.BAD_USER_INPUT);
  const visible = err.message + JSON.stringify(err.extensions);
  for (const secret of secrets) {
    expect(secret.length, 'secrets must be specific enough to detect').toBeGreaterThan(2);
    expect(visible).not.toContain(secret);
  }
  return err;
}
