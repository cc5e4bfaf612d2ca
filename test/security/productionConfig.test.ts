/** Production configuration (issue 10, deliverable 6): no embedded store, and a warning for a database reachable without TLS or credentials. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { databaseUriWarnings, loadConfig } from '../../src/config';
import { generateSigningKey } from '../../src/audit/tlog/signingKey';
import { startGateway } from '../../src/server/startGateway';

const production = {
  NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), MASTER_KEY: randomBytes(32).toString('base64'), KEY_VAULT_URI: 'mongodb://vault.internal:27017/?tls=true',
  PSEUDONYM_KEY: randomBytes(32).toString('base64url'), TLOG_SIGNING_KEY: generateSigningKey('test.localhost/tlog').signingKey,
};

describe('production', () => {
  it('refuses to start without MONGODB_URI, naming the variable, the rule and the value expected', () => {
    expect(() => loadConfig(production)).toThrow('Invalid configuration MONGODB_URI: is required in production (expected the connection string of a MongoDB deployment (the embedded store is for development), received nothing)');
    expect(() => loadConfig({ ...production, MONGODB_URI: '' })).toThrow(/MONGODB_URI: is required in production/);
  });

  it('the process refuses too: startGateway is never reached with the embedded store', async () => {
    await expect(async () => startGateway(loadConfig(production))).rejects.toThrow(/MONGODB_URI/);
  });

  it('warns when the URI has neither TLS nor credentials', () => {
    const plain = loadConfig({ ...production, MONGODB_URI: 'mongodb://db.internal:27017/crm' });
    expect(plain.warnings).toEqual([expect.stringMatching(/^MONGODB_URI has neither TLS .* nor credentials/)]);
    expect(plain.warnings.join()).not.toContain('db.internal');
    for (const uri of ['mongodb://gw:secret@db.internal:27017/crm', 'mongodb://db.internal:27017/crm?tls=true', 'mongodb+srv://cluster0.example.net/crm', 'mongodb://db.internal/?authMechanism=MONGODB-X509&tls=false']) {
      expect(databaseUriWarnings(uri)).toEqual([]);
    }
    expect(databaseUriWarnings('mongodb://a:1,b:2/crm?replicaSet=rs0&tls=false')).toHaveLength(1);
  });

  it('development keeps the embedded default and warns about nothing', () => {
    const dev = loadConfig({ JWT_SECRET: 'd'.repeat(40) });
    expect(dev.mongodbUri).toBeUndefined();
    expect(dev.warnings).toEqual([]);
  });
});

describe('operation and rate limits are validated up front', () => {
  it('documented defaults', () => {
    const c = loadConfig({ JWT_SECRET: 'd'.repeat(40) });
    expect(c.limits).toEqual({ maxCost: 20000, maxRows: 1000, maxAliases: 30, maxDepth: 10, maxDirectives: 50, maxTokens: 5000, maxBodyBytes: 1048576 });
    expect(c.rateLimits).toBe(true);
    expect(c.rateLimitAnonymousPerMinute).toBe(300);
  });

  it('bad values name the variable, the rule, the range and the value', () => {
    expect(() => loadConfig({ JWT_SECRET: 'd'.repeat(40), MAX_ROWS: '0' })).toThrow('Invalid configuration MAX_ROWS: must be an integer in range (expected 1..1000000, received "0")');
    expect(() => loadConfig({ JWT_SECRET: 'd'.repeat(40), MAX_TOKENS: 'lots' })).toThrow(/MAX_TOKENS: must be an integer in range/);
    expect(() => loadConfig({ JWT_SECRET: 'd'.repeat(40), RATE_LIMITS: 'no' })).toThrow('Invalid configuration RATE_LIMITS: must be on or off (expected on or off, received "no")');
    expect(loadConfig({ JWT_SECRET: 'd'.repeat(40), RATE_LIMITS: 'off' }).rateLimits).toBe(false);
  });
});
