/**
 * The transparency log's own series, in the gateway's registry (src/metrics.ts `metrics.registry`):
 *
 *   gateway_tlog_verify_ok               gauge    1 when the last whole-log verification passed, 0 when it failed
 *   gateway_tlog_verify_failures_total   counter  whole-log verifications that failed
 *   gateway_tlog_tree_size               gauge    leaves in the latest signed checkpoint
 *
 * (The sequencer's backlog is `metrics.sequencerLag`, in src/metrics.ts.)
 */
import { Counter, Gauge } from 'prom-client';
import { metrics } from '../metrics';

const registers = [metrics.registry];
const verifyOk = new Gauge({ name: 'gateway_tlog_verify_ok', help: '1 when the last whole-log verification of the transparency log passed, 0 when it failed.', registers });
const verifyFailures = new Counter({ name: 'gateway_tlog_verify_failures_total', help: 'Whole-log verifications of the transparency log that failed.', registers });
const treeSize = new Gauge({ name: 'gateway_tlog_tree_size', help: 'Leaves in the latest signed checkpoint of the transparency log.', registers });

/** Records the outcome of one whole-log verification. */
export function tlogVerified(ok: boolean, size: number): void {
  verifyOk.set(ok ? 1 : 0);
  if (!ok) verifyFailures.inc();
  if (Number.isFinite(size)) treeSize.set(size);
}
