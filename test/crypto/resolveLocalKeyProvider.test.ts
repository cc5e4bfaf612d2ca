import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyConfigError, generateMasterKey, resolveLocalKey, resolveLocalKeyProvider } from '../../src/crypto';
import { setLogSink, type LogSink } from '../../src/logger';

let lines: string[];
let previousSink: LogSink;
let dir: string;

beforeEach(() => {
  lines = [];
  previousSink = setLogSink((line) => lines.push(line));
  dir = mkdtempSync(join(tmpdir(), 'keys-'));
});
afterEach(() => {
  setLogSink(previousSink);
});

describe('resolveLocalKeyProvider', () => {
  it('uses MASTER_KEY when set, in production and in development', () => {
    const key = generateMasterKey();
    const prod = resolveLocalKey({ masterKey: key, production: true });
    expect(prod.source).toBe('env');
    expect(resolveLocalKeyProvider({ masterKey: key, production: false, keyFile: join(dir, 'unused.key') }).id).toBe(prod.provider.id);
    expect(() => statSync(join(dir, 'unused.key'))).toThrow();
  });

  it('refuses to start in production without MASTER_KEY, with a clear configuration error', () => {
    expect(() => resolveLocalKeyProvider({ production: true, keyFile: join(dir, 'master.key') })).toThrow(KeyConfigError);
    expect(() => resolveLocalKeyProvider({ production: true, masterKey: '  ' })).toThrow(/MASTER_KEY is required in production/);
  });

  it('rejects an invalid MASTER_KEY without echoing it', () => {
    const bad = Buffer.from('short key').toString('base64');
    expect(() => resolveLocalKeyProvider({ masterKey: bad, production: false })).toThrow(/MASTER_KEY decodes to 9 bytes, expected 32/);
    try {
      resolveLocalKeyProvider({ masterKey: bad, production: false });
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
  });

  it('in development creates the key file with mode 0600 in a new directory, logs its path only, and reuses it', () => {
    const keyFile = join(dir, 'nested', 'dir', 'master.key');
    const first = resolveLocalKey({ production: false, keyFile });
    expect(first.source).toBe('key-file-created');
    expect(first.keyFile).toBe(keyFile);
    if (process.platform !== 'win32') {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'nested', 'dir')).mode & 0o077).toBe(0);
    }
    const stored = readFileSync(keyFile, 'utf8').trim();
    expect(Buffer.from(stored, 'base64')).toHaveLength(32);

    const logged = lines.join('\n');
    expect(logged).toContain('generated a development master key file');
    expect(logged).toContain(keyFile);
    expect(logged).not.toContain(stored);

    const second = resolveLocalKey({ production: false, keyFile });
    expect(second.source).toBe('key-file');
    expect(second.provider.id).toBe(first.provider.id);
    expect(lines.join('\n')).not.toContain(stored);
  });

  it('does not create a key file when asked not to (keys:rotate)', () => {
    expect(() => resolveLocalKey({ production: false, keyFile: join(dir, 'missing.key'), createKeyFile: false })).toThrow(
      /MASTER_KEY is not set and the key file .* does not exist/,
    );
  });

  it('rejects a corrupt key file, naming the file and the rule', () => {
    const keyFile = join(dir, 'bad.key');
    writeFileSync(keyFile, 'not a key', { mode: 0o600 });
    expect(() => resolveLocalKeyProvider({ production: false, keyFile })).toThrow(/key file .*bad\.key is not valid base64/);
  });

  it('warns when an existing key file is readable by others', () => {
    if (process.platform === 'win32') return;
    const keyFile = join(dir, 'open.key');
    writeFileSync(keyFile, generateMasterKey(), { mode: 0o644 });
    resolveLocalKeyProvider({ production: false, keyFile });
    expect(lines.join('\n')).toMatch(/readable by other users/);
  });
});
