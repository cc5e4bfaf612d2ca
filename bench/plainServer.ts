/**
 * What a team would build instead of the gateway, for `npm run bench` to compare with: Apollo
 * Server 5 on Express 5, mongoose, the same database and key vault, the same envelope encryption
 * done by hand (one round trip for a page's data keys, AES-GCM per attribute), and bearer tokens
 * verified on every request. No policy and no access log, unless a variant adds one:
 * - `plain`: nothing else. Each persona's query is a fixed Mongo filter (its consent, if any).
 * - `shield`: plus a graphql-shield rule on every Customer field, asking a per-request CASL
 *   ability (built from the same policy files, the task read per request) about the row.
 * - `log`: plus one access record per row returned, written with one insertMany before the reply.
 */
import 'reflect-metadata';
import { createSecretKey } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { subject } from '@casl/ability';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express from 'express';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { rule, shield } from 'graphql-shield';
import jwt from 'jsonwebtoken';
import mongoose, { type Connection } from 'mongoose';
import type { AppAbility } from '../src/core/policyModel';
import { KeyStore, LocalKeyProvider, openField } from '../src/crypto';
import { buildAbility, loadPolicies } from '../src/policy';

export type PlainVariant = 'plain' | 'shield' | 'log';

export interface PlainServerOptions {
  variant: PlainVariant;
  mongoUri: string;
  dbName: string;
  keyVaultDb: string;
  /** Base64 of the 32-byte master key the product wraps data keys with. */
  masterKey: string;
  jwtSecret: string;
  port?: number;
}

export interface RunningPlain {
  url: string;
  stop(): Promise<void>;
}

const SDL = /* GraphQL */ `
  type Address { street: String city: String postalCode: String country: String }
  type Health { conditions: [String] notes: String }
  type Consent { key: String! granted: Boolean! }
  type Customer {
    id: ID! fullName: String email: String phone: String birthDate: String birthYear: Int address: Address
    segment: String loyaltyTier: String preferences: [String] health: Health consents: [Consent] createdAt: String
  }
  type CustomerEdge { node: Customer! }
  type PageInfo { hasNextPage: Boolean! }
  type CustomerConnection { edges: [CustomerEdge!]! pageInfo: PageInfo! }
  type Query { customers(first: Int): CustomerConnection! }
`;

/** Which stored paths a selected Customer field needs (to project and decrypt only those). */
const NEEDS: Record<string, string[]> = {
  id: [], fullName: ['fullName'], email: ['email'], phone: ['phone'], birthDate: ['birthDate'], birthYear: ['birthDate'],
  segment: ['segment'], loyaltyTier: ['loyaltyTier'], preferences: ['preferences'], createdAt: ['createdAt'], consents: ['consents'],
  address: ['address.street', 'address.city', 'address.postalCode', 'address.country'], health: ['health.conditions', 'health.notes'],
};
const SEALED = new Set(['fullName', 'email', 'phone', 'birthDate', 'address.street', 'address.city', 'address.postalCode', 'address.country', 'health.conditions', 'health.notes']);

/** The persona's rows, as a plain server would write them: the consent its purpose depends on. */
const ROWS: Record<string, Record<string, unknown>> = {
  marketing: { 'consentState.marketing': true },
  care: { 'consentState.health-data': true },
};

interface Ctx {
  principal: { id: string; roles: string[] };
  purpose: string;
  task: string | null;
  ability?: AppAbility;
}

function selectedPaths(info: GraphQLResolveInfo): string[] {
  const paths = new Set<string>();
  const edges = info.fieldNodes[0].selectionSet?.selections.find((s) => s.kind === 'Field' && s.name.value === 'edges');
  const node = edges?.kind === 'Field' ? edges.selectionSet?.selections.find((s) => s.kind === 'Field' && s.name.value === 'node') : undefined;
  if (node?.kind === 'Field') for (const s of node.selectionSet?.selections ?? []) if (s.kind === 'Field') for (const p of NEEDS[s.name.value] ?? []) paths.add(p);
  return [...paths];
}

function setAt(out: Record<string, any>, path: string, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot < 0) out[path] = value;
  else (out[path.slice(0, dot)] ??= {})[path.slice(dot + 1)] = value;
}

export async function startPlainServer(opts: PlainServerOptions): Promise<RunningPlain> {
  const conn: Connection = await mongoose.createConnection(opts.mongoUri, { dbName: opts.dbName }).asPromise();
  const vault: Connection = conn.useDb(opts.keyVaultDb, { useCache: true });
  const keys = new KeyStore(vault, new LocalKeyProvider(Buffer.from(opts.masterKey, 'base64')));
  const customers = conn.collection('customers');
  const tasks = conn.collection('tasks');
  const accessRecords = conn.collection('bench_access_records');
  const secret = createSecretKey(Buffer.from(opts.jwtSecret));
  const policies = opts.variant === 'shield' ? loadPolicies() : null;

  const resolvers = {
    Query: {
      async customers(_: unknown, args: { first?: number }, ctx: Ctx, info: GraphQLResolveInfo) {
        const first = Math.min(args.first ?? 50, 200);
        const paths = selectedPaths(info);
        const projection: Record<string, 1> = Object.fromEntries(paths.map((p) => [p, 1]));
        // The shield rules ask CASL about the row: its conditions read the consent state (marketing, care).
        if (policies) projection.consentState = 1;
        const rows = ROWS[ctx.purpose] ?? {};
        if (policies) {
          const task = ctx.task ? await tasks.findOne({ _id: ctx.task as never }) : null;
          ctx.ability = buildAbility(policies, {
            principal: { kind: 'staff', id: ctx.principal.id, roles: ctx.principal.roles },
            purpose: ctx.purpose,
            task: task ? { id: String(task._id), customerIds: task.customerIds as string[] } : null,
          });
        }
        const docs = await customers.find(rows, { projection }).sort({ _id: 1 }).limit(first + 1).toArray();
        const page = docs.slice(0, first);
        const sealed = paths.filter((p) => SEALED.has(p));
        const dataKeys = sealed.length ? await keys.getMany(page.map((d) => String(d._id))) : [];
        const nodes = page.map((doc, i) => {
          const id = String(doc._id);
          const out: Record<string, any> = { id, _doc: doc };
          for (const path of paths) {
            const stored = path.includes('.') ? (doc as any)[path.split('.')[0]]?.[path.split('.')[1]] : (doc as any)[path];
            if (stored == null) continue;
            if (!SEALED.has(path)) setAt(out, path, stored);
            else {
              const key = dataKeys[i];
              if (key instanceof Error) continue;
              const text = openField(key, id, path, stored);
              setAt(out, path, path === 'health.conditions' ? JSON.parse(text) : text);
            }
          }
          if (out.birthDate) out.birthYear = Number(String(out.birthDate).slice(0, 4));
          if (doc.consents) {
            const latest = new Map<string, boolean>();
            for (const c of doc.consents as Array<{ key: string; granted: boolean }>) latest.set(c.key, c.granted);
            out.consents = [...latest].map(([key, granted]) => ({ key, granted }));
          }
          if (out.createdAt instanceof Date) out.createdAt = out.createdAt.toISOString();
          return out;
        });
        if (opts.variant === 'log') {
          const at = new Date();
          const fields = paths.filter((p) => !p.startsWith('consentState'));
          await accessRecords.insertMany(nodes.map((n) => ({ at, actor: ctx.principal.id, purpose: ctx.purpose, task: ctx.task, subjectId: n.id, fields })));
        }
        return { edges: nodes.map((node) => ({ node })), pageInfo: { hasNextPage: docs.length > first } };
      },
    },
  };

  let schema = makeExecutableSchema({ typeDefs: SDL, resolvers });
  if (opts.variant === 'shield') {
    // A group field is readable when one of its attributes is (the policy lists leaves).
    const checked = (field: string) => (NEEDS[field] ?? [field]).filter((p) => p !== 'consentState');
    const canRead = rule({ cache: 'no_cache' })((parent: { _doc: Record<string, unknown> }, _args, ctx: Ctx, info) => {
      const row = subject('Customer', { ...parent._doc }) as never;
      return checked(info.fieldName).some((path) => ctx.ability!.can('read', row, path));
    });
    const allow = rule({ cache: 'contextual' })(() => true);
    schema = applyMiddleware(schema, shield({ Query: { '*': allow }, Customer: { '*': canRead, id: allow } }, { allowExternalErrors: true }));
  }

  const apollo = new ApolloServer<Ctx>({ schema, plugins: [ApolloServerPluginLandingPageDisabled()] });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, {
    context: async ({ req }) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token) throw new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      let claims: jwt.JwtPayload;
      try {
        claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      } catch {
        throw new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
      return {
        principal: { id: String(claims.sub), roles: (claims.roles as string[]) ?? [] },
        purpose: String(req.headers['x-purpose'] ?? ''),
        task: (req.headers['x-task-id'] as string | undefined) ?? null,
      };
    },
  }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      await conn.close();
    },
  };
}
