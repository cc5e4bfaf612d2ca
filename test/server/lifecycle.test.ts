import { spawnSync } from 'node:child_process';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../../src/core/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../src/auth/tokens';
import { ConfigError, loadConfig } from '../../src/config';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { logCount } from '../support/log';

describe('health, readiness, limits and shutdown', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('healthz is 200 and readyz is 200 once the database answers', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });

  it('refuses operations nested deeper than the limit (fragments included), but lets GraphiQL introspect', async () => {
    const shallow = await startTestApp({ env: { MAX_DEPTH: '4' } });
    try {
      const h = { token: shallow.tokens.dan, purpose: 'analytics' };
      expect(codes(await gql(shallow.url, '{ customers { edges { node { segment } } } }', h))).toEqual([]);
      const deep = await gql(shallow.url, '{ customers { edges { node { address { country } } } } }', h);
      expect(codes(deep)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(deep.errors?.[0].extensions).toMatchObject({ limit: 'depth', max: 4 });
      expect(deep.errors?.[0].message).toMatch(/levels of nesting: at most 4/);
      const viaFragment = await gql(shallow.url, 'fragment A on Customer { address { country } } { customers { edges { node { ...A } } } }', h);
      expect(codes(viaFragment)).toEqual(['QUERY_TOO_COMPLEX']);
      const introspection = await gql(shallow.url, '{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', h);
      expect(introspection.errors).toBeUndefined();
    } finally {
      await shallow.stop();
    }
  });

  it('drains in-flight requests on shutdown and flushes their access-log records, then stops listening', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    // Signals once the request is executing, so shutdown really starts while it is in flight.
    const signal: ApolloServerPlugin<RequestContext> = {
      async requestDidStart() {
        return {
          async executionDidStart() {
            arrived();
          },
        };
      },
    };
    const local = await startTestApp({ plugins: [signal] });
    try {
      const pending = gql(local.url, 'query Draining { customers(first: 50) { edges { node { email } } } }', { token: local.tokens.mia, purpose: 'marketing' });
      await inFlight;
      const stopping = local.running.gateway.stop();
      const r = await pending;
      await stopping;
      expect(r.data?.customers.edges).toHaveLength(50);
      expect(await logCount(local, { operationName: 'Draining' })).toBe(50);
      await expect(fetch(`${local.url}/healthz`)).rejects.toThrow();
    } finally {
      await local.stop();
    }
  });
});

describe('readiness without a database', () => {
  it('readyz is 503 when the database does not answer', async () => {
    const app = await startTestApp();
    try {
      await app.db.stop();
      const r = await fetch(`${app.url}/readyz`);
      expect(r.status).toBe(503);
    } finally {
      await app.stop();
    }
  });
});

describe('production', () => {
  it('masks unexpected errors: no message, no stack, no detail', async () => {
    // RATE_LIMITS=off: with the store gone, the rate limiter would refuse first (DATABASE_UNAVAILABLE, fail closed).
    const app = await startTestApp({ env: { NODE_ENV: 'production', RATE_LIMITS: 'off' } });
    try {
      // The store goes away: reading fails deep in the driver. The client learns nothing about why.
      await app.running.services.conn.close(true);
      const r = await gql(app.url, '{ customers(first: 2) { edges { node { email } } } }', { token: app.tokens.mia, purpose: 'marketing' });
      const masked = r.errors!.find((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
      expect(masked?.message).toBe('Internal server error');
      expect(Object.keys(masked!.extensions!)).toEqual(['code']);
    } finally {
      await app.stop();
    }
  });

  it('refuses to start without JWT_SECRET, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required in production/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/at least 32 characters, received 5 characters/);
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), PORT: 'eighty' })).toThrow(/PORT.*received "eighty"/);
  });
});

describe('npm run token', () => {
  it('signs a staff token the gateway accepts, and refuses incomplete arguments', async () => {
    const secret = 'y'.repeat(40);
    const env = { ...process.env, JWT_SECRET: secret };
    const ok = spawnSync('npx', ['tsx', 'src/cli/token.ts', '--kind', 'staff', '--sub', 'alice', '--roles', 'support-agent'], { env, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(verifyToken(secret, ok.stdout.trim())).toEqual({ kind: 'staff', id: 'alice', roles: ['support-agent'] });
    const bad = spawnSync('npx', ['tsx', 'src/cli/token.ts', '--kind', 'staff', '--sub', 'alice'], { env, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--roles is required/);
  });
});
