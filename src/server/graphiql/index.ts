import express, { type Request, type Response, type Router } from 'express';
import { graphiqlAssets } from './assets';
import { GRAPHIQL_CSP } from './contentSecurityPolicy';
import { renderGraphiQLPage, type GraphiQLPageConfig } from './page';

export { GRAPHIQL_CSP } from './contentSecurityPolicy';

/** The headers template shown in the headers editor unless `defaultHeaders` is given. */
export const DEFAULT_GRAPHIQL_HEADERS = JSON.stringify(
  { Authorization: 'Bearer <paste a token from npm start>', 'X-Purpose': 'customer-support', 'X-Task-Id': '' },
  null,
  2,
);

/** The query shown in a fresh tab unless `defaultQuery` is given: valid in every audience. */
export const DEFAULT_GRAPHIQL_QUERY = `# 1. Paste a token from \`npm start\` into Headers (below).
# 2. Set X-Purpose, and X-Task-Id if the purpose needs a task.
# 3. Run. A field the purpose may not read is null,
#    with a FORBIDDEN_FIELD error that says why.
{
  __typename
}
`;

export interface GraphiQLOptions {
  /** The GraphQL endpoint path the page posts to, e.g. `/graphql`. Also the page's own path. Required. */
  endpoint: string;
  /** The page title. Default: `GraphiQL · <endpoint>`. */
  title?: string;
  /** The headers editor's initial content, a JSON object as text. Default: {@link DEFAULT_GRAPHIQL_HEADERS}. */
  defaultHeaders?: string;
  /** The query editor's initial content in a fresh tab. Default: {@link DEFAULT_GRAPHIQL_QUERY}. */
  defaultQuery?: string;
  /** Tabs a fresh page opens with (headers included: development only). Default none. */
  tabs?: GraphiQLPageConfig['tabs'];
  /** Example operations the Purpose panel lists, per purpose. Default none. */
  examples?: GraphiQLPageConfig['examples'];
  /** True for an audience whose purpose is implicit (customers): the panel offers no purpose choice. Default false. */
  implicitPurpose?: boolean;
}

/** Assets are immutable per URL (the page links them with a content hash). One year. */
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * True when the request is a browser asking for a page: GET or HEAD, and the Accept header prefers
 * text/html over application/json. `curl` (`*\/*`) and GraphQL clients get false.
 */
export function wantsGraphiQL(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return req.accepts(['application/json', 'text/html']) === 'text/html';
}

function normalizeEndpoint(endpoint: string): string {
  if (!endpoint.startsWith('/')) throw new Error(`graphiqlRouter: option "endpoint" must be a path starting with "/"`);
  const trimmed = endpoint.replace(/\/+$/, '');
  if (trimmed === '') throw new Error(`graphiqlRouter: option "endpoint" must not be the root path`);
  return trimmed;
}

function checkHeadersTemplate(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('graphiqlRouter: option "defaultHeaders" must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('graphiqlRouter: option "defaultHeaders" must be a JSON object');
  }
  return text;
}

/** The request path as the app sees it, whether the router is mounted at the endpoint or at the root. */
function fullPath(req: Request): string {
  const full = `${req.baseUrl}${req.path}`;
  return full.length > 1 ? full.replace(/\/+$/, '') : full;
}

function setPageHeaders(res: Response): void {
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': GRAPHIQL_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    Vary: 'Accept',
  });
}

/**
 * GraphiQL for one GraphQL endpoint, served entirely from local files (no CDN).
 *
 * - `GET <endpoint>` from a browser (see {@link wantsGraphiQL}): the GraphiQL page.
 * - `GET <endpoint>/_assets/<file>`: React 18 and GraphiQL UMD builds, its stylesheet, and the
 *   bootstrap script, with a long cache lifetime.
 * - Anything else calls `next()`, so the GraphQL handler mounted on the same path still answers
 *   POST and non-HTML GET.
 *
 * Mount it at the endpoint or at the root, before the GraphQL handler:
 * `app.use('/graphql', graphiqlRouter({ endpoint: '/graphql' }), graphqlHandler)`.
 */
export function graphiqlRouter(opts: GraphiQLOptions): Router {
  const endpoint = normalizeEndpoint(opts.endpoint);
  const assets = graphiqlAssets();
  const assetPrefix = `${endpoint}/_assets/`;
  const html = renderGraphiQLPage(
    opts.title ?? `GraphiQL · ${endpoint}`,
    {
      endpoint,
      defaultHeaders: checkHeadersTemplate(opts.defaultHeaders ?? DEFAULT_GRAPHIQL_HEADERS),
      defaultQuery: opts.defaultQuery ?? DEFAULT_GRAPHIQL_QUERY,
      tabs: opts.tabs ?? [],
      examples: opts.examples ?? [],
      implicitPurpose: opts.implicitPurpose ?? false,
    },
    assets,
  );

  const router = express.Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = fullPath(req);
    if (path === endpoint) {
      if (!wantsGraphiQL(req)) return next();
      setPageHeaders(res);
      res.status(200).send(html);
      return;
    }
    if (path.startsWith(assetPrefix)) {
      const asset = assets.get(path.slice(assetPrefix.length));
      if (!asset) {
        res.status(404).type('text/plain').send('Not found');
        return;
      }
      res.set({
        'Content-Type': asset.contentType,
        'Cache-Control': ASSET_CACHE_CONTROL,
        ETag: `"${asset.hash}"`,
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      res.status(200).send(asset.body);
      return;
    }
    next();
  });
  return router;
}
