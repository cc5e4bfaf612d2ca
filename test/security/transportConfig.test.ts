import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { createHttpServer } from '../../src/server/edge/transport';
import { makeTestCert } from './tls';

const base = { JWT_SECRET: 'x'.repeat(40), MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };

describe('TLS_CERT, TLS_KEY and TRUST_PROXY', () => {
  it('TLS_CERT and TLS_KEY come together', () => {
    expect(() => loadConfig({ ...base, TLS_CERT: '/tmp/c.pem' })).toThrow(/TLS_KEY/);
    expect(() => loadConfig({ ...base, TLS_KEY: '/tmp/k.pem' })).toThrow(/TLS_CERT/);
    expect(loadConfig(base)).toMatchObject({ tlsCert: undefined, tlsKey: undefined, trustProxy: [] });
  });

  it('TRUST_PROXY takes addresses, CIDRs and the loopback / linklocal / uniquelocal keywords, nothing else', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8,::1,fd00::/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1', 'fd00::/8']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example.com', '1']) {
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  it('an unreadable or non-PEM file is a ConfigError that names the variable, never the content', () => {
    const cert = makeTestCert();
    try {
      expect(() => createHttpServer({ tlsCert: join(cert.dir, 'missing.pem'), tlsKey: cert.keyFile }, () => undefined)).toThrow(/TLS_CERT.*readable PEM file/);
      const junk = join(cert.dir, 'junk.pem');
      writeFileSync(junk, 'secret-key-material-not-pem');
      let message = '';
      try {
        createHttpServer({ tlsCert: cert.certFile, tlsKey: junk }, () => undefined);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/TLS_KEY/);
      expect(message).not.toContain('secret-key-material');
      const ok = createHttpServer({ tlsCert: cert.certFile, tlsKey: cert.keyFile }, () => undefined);
      expect(ok.scheme).toBe('https');
    } finally {
      cert.remove();
    }
  });
});
