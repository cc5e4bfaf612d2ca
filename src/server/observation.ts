/** What the edge learns about one GraphQL request while it runs (for its metrics and span). */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What the edge learns about one GraphQL request while it runs. */
export interface Observation {
  audience: string;
  purpose: string | null;
  /** OK or the first error code; null until known (then the HTTP status decides). */
  code: string | null;
  rows: number;
  startedAt: number;
}

/** The observation of each GraphQL request, set by observeMount (observe.ts). */
export const observationStore = new AsyncLocalStorage<Observation>();

/** The observation of the GraphQL request being served (undefined outside one). */
export function currentObservation(): Observation | undefined {
  return observationStore.getStore();
}

/** Sets the result code of the request being served (e.g. a refusal answered before any schema). */
export function noteRequestCode(code: string, purpose?: string | null): void {
  const o = observationStore.getStore();
  if (!o) return;
  o.code = code;
  if (purpose !== undefined) o.purpose = purpose;
}
