import type { AccessLogModel } from './accessLogModel';
import type { AuditBuffer } from './auditBuffer';

export class AuditWriteError extends Error {
  constructor(cause: string) {
    super(`The access log could not be written: ${cause}`);
    this.name = 'AuditWriteError';
  }
}

export interface FlushOptions {
  /** Give up (and fail the response closed) after this many ms. */
  timeoutMs: number;
  /** Ask for a majority, journaled write (on a replica set). Default true. */
  durable?: boolean;
}

/** Append the buffered records with one insertMany; rejects with AuditWriteError on any failure or timeout. */
export async function flushAudit(model: AccessLogModel, buffer: AuditBuffer, opts: FlushOptions): Promise<number> {
  const records = buffer.records();
  if (records.length === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuditWriteError(`no acknowledgement within ${opts.timeoutMs} ms`)), opts.timeoutMs);
  });
  try {
    // Straight to the driver: the records are complete plain documents, so mongoose's casting adds nothing.
    const write = model.collection.insertMany(records, {
      ordered: true,
      ...(opts.durable === false ? {} : { writeConcern: { w: 'majority', j: true, wtimeoutMS: opts.timeoutMs } }),
    });
    await Promise.race([write, timeout]);
    return records.length;
  } catch (err) {
    if (err instanceof AuditWriteError) throw err;
    throw new AuditWriteError((err as Error).name || 'write failed');
  } finally {
    clearTimeout(timer);
  }
}
