/** k and pseudonymous in policies/purposes.yaml: defaults, and refusals at load naming the file and the key. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { generateSigningKey } from '../../src/audit/tlog/signingKey';
import { loadPolicies, PolicyLoadError } from '../../src/policy';
import { copyPolicies, POLICY_DIR, type PolicyCopy } from '../policy/policyCopy';

let copy: PolicyCopy;
afterEach(() => copy?.remove());

const ANALYTICS_K = '    k: 10\n';

function loadError(dir: string): PolicyLoadError {
  try {
    loadPolicies(dir);
  } catch (err) {
    if (err instanceof PolicyLoadError) return err;
    throw err;
  }
  throw new Error('expected loadPolicies to throw a PolicyLoadError');
}

describe('k and pseudonymous per purpose', () => {
  it('analytics states k 10 and pseudonymous; other purposes default to k 10, not pseudonymous', () => {
    const p = loadPolicies(POLICY_DIR);
    expect(p.purposes.get('analytics')).toMatchObject({ k: 10, pseudonymous: true });
    expect(p.purposes.get('marketing')).toMatchObject({ k: 10, pseudonymous: false });
  });

  it('a k left out is 10', () => {
    copy = copyPolicies();
    copy.edit('purposes.yaml', ANALYTICS_K, '');
    expect(loadPolicies(copy.dir).purposes.get('analytics')!.k).toBe(10);
  });

  it('refuses a k with no value, or below 2, naming the file and the key', () => {
    for (const [value, rule] of [['', /purposes\.analytics\.k: must be a whole number from 2 to 1000/], ['1', /purposes\.analytics\.k: must be at least 2/], ['2.5', /purposes\.analytics\.k: must be a whole number/]] as const) {
      copy = copyPolicies();
      copy.edit('purposes.yaml', ANALYTICS_K, `    k: ${value}\n`);
      const err = loadError(copy.dir);
      expect(err.file).toBe(join(copy.dir, 'purposes.yaml'));
      expect(err.message).toMatch(rule);
      copy.remove();
    }
  });
});

describe('PSEUDONYM_KEY', () => {
  const production = {
    NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), MONGODB_URI: 'mongodb://127.0.0.1:1/crm', KEY_VAULT_URI: 'mongodb://127.0.0.1:2/keys', MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
    TLOG_SIGNING_KEY: generateSigningKey('test.localhost/tlog').signingKey,
  };

  it('is required in production, and at least 32 characters', () => {
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig(production)).toThrow(/PSEUDONYM_KEY: is required in production \(expected a secret of at least 32 characters, received nothing\)/);
    expect(() => loadConfig({ ...production, PSEUDONYM_KEY: 'short' })).toThrow(/PSEUDONYM_KEY: is too short \(expected at least 32 characters, received 5 characters\)/);
    expect(loadConfig({ ...production, PSEUDONYM_KEY: 'p'.repeat(32) }).pseudonymKey).toBe('p'.repeat(32));
  });
});
