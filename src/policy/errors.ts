/** Format a key path like `purposes.billing.rules[0].fields`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      const plain = /^[A-Za-z_$][\w$-]*$/.test(name);
      out += plain ? (out ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/**
 * A policy file is invalid. The message names the file, the key path and the rule broken, e.g.
 * `policies/roles/billing-agent.yaml: purposes.billing.rules[0].fields: wildcard "*" would grant ...`.
 * The process must refuse to start on it.
 */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly rule: string,
  ) {
    super(`${file}: ${keyPath ? `${keyPath}: ` : ''}${rule}`);
  }
}

/** A role or purpose named at run time (e.g. `policyMatrix(role, purpose)`) does not exist. */
export class UnknownPolicyRefError extends Error {
  override readonly name = 'UnknownPolicyRefError';
  constructor(
    readonly kind: 'role' | 'purpose',
    readonly ref: string,
  ) {
    super(`unknown ${kind} "${ref}"`);
  }
}
