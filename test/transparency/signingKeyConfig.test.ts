/** TLOG_SIGNING_KEY and the TLOG_* settings are checked up front; errors name the variable, never the key. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, loadSigningKey } from '../../src/audit/tlog/signingKey';
import { ConfigError, loadConfig } from '../../src/config';
import { logSigner } from '../../src/transparency';

const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), KEY_VAULT_URI: 'mongodb://127.0.0.1:1/', MONGODB_URI: 'mongodb://127.0.0.1:1/', PSEUDONYM_KEY: 'k'.repeat(40) };

describe('TLOG_SIGNING_KEY', () => {
  it('is required in production, named in the error', () => {
    expect(() => loadConfig(prod)).toThrow(ConfigError);
    expect(() => loadConfig(prod)).toThrow(/TLOG_SIGNING_KEY: is required in production/);
  });

  it('a malformed key is refused naming the variable and never echoed', () => {
    const bad = 'PRIVATE+KEY+not-a-key-at-all';
    let message = '';
    try {
      loadConfig({ ...prod, TLOG_SIGNING_KEY: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration TLOG_SIGNING_KEY: must be an Ed25519 signing key/);
    expect(message).not.toContain('not-a-key');
  });

  it('a key of the right shape but a wrong key ID is refused at start (the full check), naming the variable', () => {
    const { signingKey } = generateSigningKey('crm.example.com/tlog');
    const parts = signingKey.split('+');
    parts[3] = parts[3] === '00000000' ? '00000001' : '00000000';
    const config = loadConfig({ ...prod, TLOG_SIGNING_KEY: parts.join('+') });
    expect(() => logSigner(config)).toThrow(/TLOG_SIGNING_KEY .*key ID/);
  });

  it('a good key loads; the origin is its name', () => {
    const { signingKey, verifierKey } = generateSigningKey('crm.example.com/tlog');
    const config = loadConfig({ ...prod, TLOG_SIGNING_KEY: signingKey });
    expect(config.tlog.checkpointMs).toBe(1000);
    expect(logSigner(config).name).toBe('crm.example.com/tlog');
    expect(verifierKey.startsWith('crm.example.com/tlog+')).toBe(true);
  });

  it('a PEM key needs TLOG_ORIGIN', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';
    expect(() => loadConfig({ ...prod, TLOG_SIGNING_KEY: pem })).toThrow(/TLOG_ORIGIN: is required when TLOG_SIGNING_KEY is a PEM key/);
  });

  it('in development it is generated once into .data (mode 0600) and read back the next time', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tlog-')), 'tlog-signing-key');
    const a = loadConfig({ TLOG_SIGNING_KEY_FILE: file, JWT_SECRET: 'y'.repeat(40) });
    const b = loadConfig({ TLOG_SIGNING_KEY_FILE: file, JWT_SECRET: 'y'.repeat(40) });
    expect(a.tlog.signingKeyGenerated).toBe(true);
    expect(a.tlog.signingKey).toBe(b.tlog.signingKey);
    expect(readFileSync(file, 'utf8').trim()).toBe(a.tlog.signingKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSigningKey(a.tlog.signingKey).name).toBe('purpose-gateway.localhost/tlog'); // the generated key passes the full check
  });

  it('TLOG_CHECKPOINT_MS is range-checked, TLOG_SEQUENCER is a flag', () => {
    const { signingKey } = generateSigningKey('crm.example.com/tlog');
    expect(() => loadConfig({ ...prod, TLOG_SIGNING_KEY: signingKey, TLOG_CHECKPOINT_MS: '5' })).toThrow(/TLOG_CHECKPOINT_MS: must be an integer in range \(expected 100\.\.60000, received "5"\)/);
    expect(() => loadConfig({ ...prod, TLOG_SIGNING_KEY: signingKey, TLOG_SEQUENCER: 'maybe' })).toThrow(/TLOG_SEQUENCER: must be a boolean flag/);
    expect(loadConfig({ ...prod, TLOG_SIGNING_KEY: signingKey, TLOG_SEQUENCER: '0' }).tlog.sequencer).toBe(false);
  });
});
