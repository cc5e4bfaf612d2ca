/**
 * Rate limits (rate-limiter-flexible on the MongoDB store, so they hold across gateway instances):
 * per principal and purpose, requests per minute and rows per minute (policies/purposes.yaml
 * `limits`), and per client address for requests without a valid token (RATE_LIMIT_ANONYMOUS).
 * A refusal is RATE_LIMITED, HTTP 429 with Retry-After. Rows are counted from the subjects the
 * access recorder holds when the response leaves; once a minute's rows are spent, the next requests
 * are refused until it ends.
 * If the store does not answer, the request is refused (DATABASE_UNAVAILABLE): fail closed.
 * RATE_LIMITS=off disables all of it (benchmarks).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config';
import type { Principal, RequestContext } from '../../core/context';
import { ErrorCode, SafeError } from '../../core/errors';
import type { PolicySet } from '../../core/policyModel';
import { logger } from '../../logger';

/** The collection the counters live in (expired ones removed by a TTL index). */
export const RATE_LIMIT_COLLECTION = 'rate_limits';

export type RateLimitName = 'requests' | 'rows' | 'anonymous';

export function rateLimited(limit: RateLimitName, max: number, msBeforeNext: number, purpose?: string): SafeError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const what = limit === 'rows' ? `${max} rows per minute` : `${max} requests per minute`;
  const whose = limit === 'anonymous' ? 'from this address without a valid token' : `for purpose ${purpose}`;
  return new SafeError(ErrorCode.RATE_LIMITED, `Rate limit exceeded: at most ${what} ${whose}; retry after ${retryAfter} s`, {
    limit, max, retryAfter, ...(purpose ? { purpose } : {}),
  });
}

const unavailable = () => new SafeError(ErrorCode.DATABASE_UNAVAILABLE, 'The rate-limit store did not answer, so the request was refused. Try again later.');

export class RateLimits {
  private readonly requests = new Map<string, RateLimiterMongo>();
  private readonly rowsOf = new Map<string, RateLimiterMongo>();
  private readonly anon: RateLimiterMongo;
  /** `purpose principal` → when its rows minute ends, learnt from the store when a response crossed the limit. */
  private readonly rowsSpent = new Map<string, number>();

  constructor(conn: Connection, policies: PolicySet, private readonly config: Config) {
    const make = (keyPrefix: string, points: number) => new RateLimiterMongo({
      storeClient: conn.getClient(), dbName: config.dbName, tableName: RATE_LIMIT_COLLECTION, keyPrefix, points, duration: 60,
      disableIndexesCreation: true, inMemoryBlockOnConsumed: points + 1,
    });
    for (const p of policies.purposes.values()) {
      this.requests.set(p.id, make(`req:${p.id}`, p.limits.requestsPerMinute));
      this.rowsOf.set(p.id, make(`rows:${p.id}`, p.limits.rowsPerMinute));
    }
    this.anon = make('anon', config.rateLimitAnonymousPerMinute);
    void this.ensureIndexes(conn);
  }

  private async ensureIndexes(conn: Connection): Promise<void> {
    try {
      const c = conn.getClient().db(this.config.dbName).collection(RATE_LIMIT_COLLECTION);
      await c.createIndex({ expire: -1 }, { expireAfterSeconds: 0 });
      await c.createIndex({ key: 1 }, { unique: true });
    } catch (err) {
      logger.warn('rate-limit indexes could not be created', { error: (err as Error).name });
    }
  }

  /** One request of a principal for a purpose; rejects with RATE_LIMITED when over either minute's limit. */
  async request(principal: Principal, purposeId: string): Promise<void> {
    const req = this.requests.get(purposeId);
    const rows = this.rowsOf.get(purposeId);
    if (!req || !rows) return; // an unknown purpose is refused by the context, with the purposes allowed
    const key = `${principal.kind}:${principal.id}`;
    const until = this.rowsSpent.get(`${purposeId} ${key}`);
    if (until !== undefined) {
      if (until > Date.now()) throw rateLimited('rows', rows.points, until - Date.now(), purposeId);
      this.rowsSpent.delete(`${purposeId} ${key}`);
    }
    try {
      await req.consume(key, 1);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw rateLimited('requests', req.points, res.msBeforeNext, purposeId);
      throw unavailable();
    }
  }

  /** The rows a response returned, counted against the principal's minute for the purpose. */
  async rows(principal: Principal, purposeId: string, n: number): Promise<void> {
    const rows = this.rowsOf.get(purposeId);
    if (!rows || n <= 0) return;
    const key = `${principal.kind}:${principal.id}`;
    // The store keeps the count across instances; the instance whose response crosses the limit (or
    // any later one that adds rows to that minute) learns when the minute ends and refuses until then.
    const res = await rows.consume(key, n).catch((r: unknown) => r);
    if (res instanceof RateLimiterRes && res.consumedPoints >= rows.points) {
      if (this.rowsSpent.size > 10_000) this.rowsSpent.clear();
      this.rowsSpent.set(`${purposeId} ${key}`, Date.now() + res.msBeforeNext);
    } else if (!(res instanceof RateLimiterRes)) logger.warn('rate-limit rows not counted: the store did not answer', { purpose: purposeId });
  }

  /** One request without a valid token, from this client address. */
  async anonymous(address: string): Promise<void> {
    try {
      await this.anon.consume(address, 1);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw rateLimited('anonymous', this.anon.points, res.msBeforeNext);
      throw unavailable();
    }
  }
}

/** Counts the rows (subjects recorded) of every response against the principal's minute for its purpose. */
export function rowsCountPlugin(limits: RateLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx }) {
          if (ctx.principal && ctx.purpose) await limits.rows(ctx.principal, ctx.purpose.id, ctx.log.size);
        },
      };
    },
  };
}
