/**
 * The transparency log of a running gateway: the signing key (TLOG_SIGNING_KEY, checked at start),
 * the record sources of every manifest, the sequencer (it works only while this process holds the
 * lease), the scheduled whole-log verification (TLOG_VERIFY_MS, on the lease holder), and the
 * detail /readyz shows.
 */
import type { Config } from '../config';
import type { AppServices } from '../core/context';
import type { RecordSource } from '../audit';
import { rootAt } from '../audit/tlog/merkle';
import { formatVerifierKey, openCheckpoint, signerVerifier, type NoteSigner } from '../audit/tlog/note';
import { loadSigningKey } from '../audit/tlog/signingKey';
import { logger } from '../logger';
import { Sequencer } from './sequencer';
import { recordSourcesOf } from './sources';
import { ensureStoreIndexes, latestCheckpoint, readState, verificationColl } from './store';
import { tlogVerified } from './tlogMetrics';
import { verifyStoredLog, type StoredLogReport } from './verifyStore';

export interface Tlog {
  signer: NoteSigner;
  /** The published verifier key, `<origin>+<hex id>+<base64 key>`. */
  verifierKey: string;
  sources: RecordSource[];
  sequencer: Sequencer;
  /** Runs the whole-log verification now (and keeps the outcome). */
  verifyNow(): Promise<StoredLogReport>;
  /** Verifies every TLOG_VERIFY_MS while this process holds the sequencer lease (never when 0). */
  startSchedule(): void;
  stopSchedule(): void;
}

const runtimes = new WeakMap<AppServices, Tlog>();

/** The log's signer from the configuration. @throws SigningKeyError naming TLOG_SIGNING_KEY and the rule */
export function logSigner(config: Config): NoteSigner {
  return loadSigningKey(config.tlog.signingKey, config.tlog.origin === undefined ? {} : { name: config.tlog.origin });
}

/** The transparency log of these services (made on first use; `startTlog` starts it). */
export function tlogOf(services: AppServices): Tlog {
  let tlog = runtimes.get(services);
  if (tlog) return tlog;
  const signer = logSigner(services.config);
  const sources = recordSourcesOf(services.capabilities);
  const sequencer = new Sequencer(services.conn, sources, signer, { checkpointMs: services.config.tlog.checkpointMs });
  const verifierKey = formatVerifierKey(signer.name, signer.publicKey);
  let timer: NodeJS.Timeout | null = null;
  const verifyNow = async () => {
    const report = await verifyStoredLog(services.conn, sources, verifierKey, { lateMs: services.config.tlog.lateMs });
    tlogVerified(report.ok, report.treeSize);
    if (report.ok) logger.info('transparency log verified', { records: report.records, treeSize: report.treeSize });
    else logger.error('transparency log verification FAILED', { failure: report.failure });
    return report;
  };
  const every = services.config.tlog.verifyMs;
  tlog = {
    signer, verifierKey, sources, sequencer, verifyNow,
    startSchedule: () => {
      if (every === 0 || timer) return;
      let busy = false;
      timer = setInterval(() => {
        if (busy) return; // a pass longer than the period: never two at once
        busy = true;
        // Only the lease holder verifies: one full pass per cluster per period.
        sequencer.lease.current().then(async (held) => {
          if (held?.holder === sequencer.lease.holder) await verifyNow();
        }).catch((err: Error) => {
          tlogVerified(false, Number.NaN);
          logger.error('transparency log verification could not run', { error: err.name, message: err.message });
        }).finally(() => {
          busy = false;
        });
      }, every);
      timer.unref();
    },
    stopSchedule: () => {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
  runtimes.set(services, tlog);
  return tlog;
}

/** At gateway start: checks the key (refuses to start on a bad one), indexes, then starts sequencing and the schedule. */
export async function startTlog(services: AppServices): Promise<void> {
  const tlog = tlogOf(services);
  await ensureStoreIndexes(services.conn);
  await tlog.sequencer.ensureIndexes();
  if (!services.config.tlog.sequencer) return; // TLOG_SEQUENCER=0: serves the log, never sequences or verifies it
  tlog.sequencer.start();
  tlog.startSchedule();
}

/** At gateway stop: the last records are sequenced and signed by the lease holder, then the lease is given up. */
export async function stopTlog(services: AppServices): Promise<void> {
  const tlog = runtimes.get(services);
  if (!tlog) return;
  tlog.stopSchedule();
  if (services.config.tlog.sequencer) await tlog.sequencer.stop();
}

/** /readyz detail: the latest checkpoint (its signature and its root against the stored nodes) and the last whole-log verification. */
export async function tlogReadiness(services: AppServices): Promise<Record<string, unknown>> {
  const tlog = tlogOf(services);
  const [state, latest, last] = await Promise.all([
    readState(services.conn),
    latestCheckpoint(services.conn),
    verificationColl(services.conn).find({}, { projection: { _id: 0 } }).sort({ at: -1 }).limit(1).next(),
  ]);
  let checkpoint: Record<string, unknown> | null = null;
  if (latest) {
    const opened = openCheckpoint(latest.note, signerVerifier(tlog.signer));
    const ok = opened.ok && opened.checkpoint.size === latest.treeSize && (await rootAt(latest.treeSize, tlog.sequencer.nodes.readNodes)).equals(opened.checkpoint.rootHash);
    checkpoint = { treeSize: latest.treeSize, at: latest.at, ok };
  }
  return {
    treeSize: state.size,
    checkpoint,
    lastVerification: last ? { at: last.at, ok: last.ok, treeSize: last.treeSize, ...(last.failure ? { failure: last.failure } : {}) } : null,
  };
}
