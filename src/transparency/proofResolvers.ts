/**
 * Proofs over GraphQL. Staff (purpose audit, the privacy officer: `read AccessLog`): recordProof
 * for any record, consistencyProof. Customers: myRecordProof for an entry of their own access
 * history only; any other id gets the same answer as an unknown one.
 */
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { flatten, type AccessEvent } from '../audit';
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { InclusionProof } from './proofTypes';
import { locateRecord, proveConsistency, proveRecord } from './proofs';
import { tlogOf } from './runtime';

function requireLogRead(ctx: RequestContext, what: string): void {
  if (!ctx.ability.can('read', 'AccessLog')) {
    const why = `${what} is not granted for purpose ${ctx.purpose?.id}`;
    ctx.log.operationDenied(ErrorCode.FORBIDDEN, why, 'AccessLog');
    throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${why}`);
  }
}

const ID_TEXT = /^[\x21-\x7e]{1,200}$/;

@Resolver()
export class ProofResolver {
  @Query(() => InclusionProof, { description: 'The inclusion proof of a record in a signed checkpoint (default: the latest). Privacy officer, purpose audit.' })
  async recordProof(
    @Ctx() ctx: RequestContext,
    @Arg('recordId', () => ID) recordId: string,
    @Arg('treeSize', () => Int, { nullable: true }) treeSize?: number | null,
  ): Promise<InclusionProof> {
    requireLogRead(ctx, 'reading transparency-log proofs');
    const tlog = tlogOf(ctx.services);
    const rec = ID_TEXT.test(recordId) ? await locateRecord(ctx.services.conn, tlog.sources, recordId) : null;
    if (!rec) throw new InputError('recordId', 'must name a stored record: an access-log entry id (<id>.<k>) or <kind>:<id>');
    ctx.log.read('TransparencyLog', recordId, ['inclusionProof']);
    return proveRecord(ctx.services.conn, tlog.sequencer.nodes, rec, recordId, treeSize, 'recordId');
  }

  @Query(() => [String], { description: 'The RFC 6962 consistency proof between two tree sizes, base64. Privacy officer, purpose audit.' })
  async consistencyProof(@Ctx() ctx: RequestContext, @Arg('from', () => Int) from: number, @Arg('to', () => Int) to: number): Promise<string[]> {
    requireLogRead(ctx, 'reading transparency-log proofs');
    const tlog = tlogOf(ctx.services);
    ctx.log.read('TransparencyLog', `${from}..${to}`, ['consistencyProof']);
    return proveConsistency(ctx.services.conn, tlog.sequencer.nodes, from, to);
  }
}

const NOT_YOURS = 'must be the id of an entry of your access history (myAccessHistory)';

@Resolver()
export class MyProofResolver {
  @Query(() => InclusionProof, { description: 'The inclusion proof of one entry of your access history, in the latest signed checkpoint.' })
  async myRecordProof(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<InclusionProof> {
    requireLogRead(ctx, 'reading the access history');
    const customerId = ctx.principal!.id;
    const tlog = tlogOf(ctx.services);
    // Only access-log entry ids; the entry must be about this customer. Anything else: one answer.
    const rec = /^[0-9a-f]{24}\.\d{1,6}$/.test(id) ? await locateRecord(ctx.services.conn, tlog.sources, id) : null;
    const entry = rec && !rec.doc.pruned ? flatten(rec.doc as unknown as AccessEvent).find((e) => e.id === id) : undefined;
    if (!rec || !entry || entry.subjectId !== customerId) throw new InputError('id', NOT_YOURS);
    ctx.log.read('AccessLog', customerId, ['inclusionProof']);
    return proveRecord(ctx.services.conn, tlog.sequencer.nodes, rec, id, null, 'id');
  }
}
