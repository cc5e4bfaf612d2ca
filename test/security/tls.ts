/** Test TLS material and an HTTPS GraphQL client that trusts only the test's own CA. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GqlRequest, GqlResponse } from '../support/graphql';

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  /** The self-signed certificate, to trust as the CA. */
  ca: Buffer;
  remove(): void;
}

/** A self-signed certificate for 127.0.0.1 / localhost, made with openssl in a temp dir. */
export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { dir, certFile, keyFile, ca: readFileSync(certFile), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface HttpsResponse<T> extends GqlResponse<T> {
  headers: Record<string, string | string[] | undefined>;
}

/** POST a GraphQL request over HTTPS, trusting `ca` only (no global TLS setting is changed). */
export function httpsGql<T = Record<string, any>>(baseUrl: string, query: string, req: GqlRequest & { ca?: Buffer } = {}): Promise<HttpsResponse<T>> {
  const url = new URL(baseUrl + (req.endpoint ?? '/graphql'));
  const body = JSON.stringify({ query, variables: req.variables });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.purpose) headers['x-purpose'] = req.purpose;
  if (req.task) headers['x-task-id'] = req.task;
  return new Promise((resolve, reject) => {
    const r = https.request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, ca: req.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T | null; errors?: GqlResponse['errors'] };
          resolve({ status: res.statusCode ?? 0, data: parsed.data, errors: parsed.errors, headers: res.headers });
        } catch (err) {
          reject(err);
        }
      });
    });
    r.on('error', reject);
    r.end(body);
  });
}
