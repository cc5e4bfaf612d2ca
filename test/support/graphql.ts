/** A small GraphQL-over-HTTP client for tests (real HTTP, real server). */
export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: Array<{ message: string; extensions?: Record<string, any>; path?: unknown[] }> | undefined;
}

export interface GqlRequest {
  token?: string;
  purpose?: string;
  task?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  endpoint?: string;
  headers?: Record<string, string>;
}

export async function gql<T = Record<string, any>>(baseUrl: string, query: string, req: GqlRequest = {}): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.purpose) headers['x-purpose'] = req.purpose;
  if (req.task) headers['x-task-id'] = req.task;
  const res = await fetch(baseUrl + (req.endpoint ?? '/graphql'), {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables: req.variables, operationName: req.operationName }),
  });
  const body = (await res.json()) as { data?: T | null; errors?: GqlResponse['errors'] };
  return { status: res.status, data: body.data, errors: body.errors };
}

/** The error codes of a response, in order. */
export const codes = (r: GqlResponse) => (r.errors ?? []).map((e) => e.extensions?.code);
