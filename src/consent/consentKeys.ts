import type { ConsentKeyDef, PolicySet } from '../policy';
import { InputError } from '../server/errors';

/**
 * The consent key definition for `key`, or BAD_USER_INPUT naming the argument and listing the
 * known keys (`policies/fields.yaml`, `consentKeys`). The given value is not echoed.
 */
export function checkConsentKey(policies: PolicySet, key: unknown, field = 'key'): ConsentKeyDef {
  const def = typeof key === 'string' ? policies.consentKeys.get(key) : undefined;
  if (!def) throw new InputError(field, `must be a consent key: one of ${[...policies.consentKeys.keys()].join(', ')}`);
  return def;
}
