/** Id formats and generators shared by every capability. */
import { randomBytes } from 'node:crypto';

/** Customer, task, request and record ids: `cus_…`, `tsk_…`, `cr_…`. */
export const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Ids in token claims (`sub`, roles, partner): no ':' (task assignees `partner:<id>` are derived, never claimed). */
export const CLAIM_ID = /^[A-Za-z0-9_.@-]{1,128}$/;
/** Purpose ids of policies/purposes.yaml. */
export const PURPOSE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** A fresh random id: `prefix` + base64url of `bytes` random bytes (default 9: 12 characters). */
export function newId(prefix: string, bytes = 9): string {
  return prefix + randomBytes(bytes).toString('base64url');
}
