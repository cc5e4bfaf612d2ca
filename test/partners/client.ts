/** Sends a generated TypedDocumentNode over real HTTP (graphql's print), typed by its operation. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { gql, type GqlRequest, type GqlResponse } from '../support/graphql';

export async function send<TData, TVars extends Record<string, unknown>>(
  url: string,
  doc: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  req: Omit<GqlRequest, 'variables'> = {},
): Promise<GqlResponse<TData>> {
  return gql<TData>(url, print(doc), { ...req, variables });
}

/** Headers of the demo partner working its seeded task. */
export const SHIPFAST = { endpoint: '/partner/graphql', purpose: 'order-fulfilment', task: 'tsk_fulfil_shipfast' } as const;
/** The seeded task's customers, and one customer outside it. */
export const IN_TASK = ['cus_0009', 'cus_0010', 'cus_0011'];
export const OUTSIDE_TASK = 'cus_0001';
