/**
 * The records lifecycle: the retention schedule (policies/retention.yaml) applied by the disposal
 * job (on DISPOSAL_SCHEDULE, `npm run disposal:run`, runDisposal), and the storage-asset registry
 * with its certificates of sanitization. Runs, certificates and asset events are records of the
 * transparency log; none holds personal data.
 */
import type { Cron } from 'croner';
import type { Capability, RecordSourceDeclaration } from '../core/capability';
import type { AppServices } from '../core/context';
import { logger } from '../logger';
import { StorageAssetMutations } from './assetMutations';
import { StorageAssetQueries } from './assetQueries';
import { certificateModel, CERTIFICATE_COLLECTION } from './assets/certificate';
import { ASSET_EVENT_COLLECTION, assetEventModel, storageAssetModel } from './assets/model';
import { registerBackups, registerDatabase } from './assets/registry';
import { disposalRunModel, RUN_RECORD_COLLECTION } from './disposal/model';
import { scheduleDisposal } from './disposal/schedule';
import { DisposalResolver } from './disposalResolvers';
import { disposalServicesOf, scheduleOf } from './services';

/** The append-only records this capability writes (leaves of the transparency log). */
export const LIFECYCLE_RECORDS: RecordSourceDeclaration[] = [
  { kind: 'disposalRun', collection: RUN_RECORD_COLLECTION },
  { kind: 'disposalCertificate', collection: CERTIFICATE_COLLECTION },
  { kind: 'storageAssetEvent', collection: ASSET_EVENT_COLLECTION },
];

const READ = { purposes: ['records-management', 'audit'] } as const;
const WRITE = { purposes: ['records-management'] } as const;
const jobs = new WeakMap<AppServices, Cron>();

export const lifecycleCapability: Capability = {
  name: 'lifecycle',
  resolvers: { staff: [StorageAssetQueries, StorageAssetMutations, DisposalResolver] },
  operations: {
    'Query.retentionSchedule': READ, 'Query.storageAssets': READ, 'Query.storageAsset': READ, 'Query.disposalRuns': READ, 'Query.disposalCertificate': READ,
    'Mutation.registerStorageAsset': WRITE, 'Mutation.reportAssetStatus': WRITE, 'Mutation.sanitizeStorageAsset': WRITE, 'Mutation.runDisposal': WRITE,
  },
  records: LIFECYCLE_RECORDS,
  // At start: the schedule is loaded and checked (the start fails on a bad file), the live database and
  // every recorded backup are registered as assets, and the disposal job is scheduled.
  start: async (services) => {
    scheduleOf(services);
    const { conn, config } = services;
    await Promise.all([storageAssetModel(conn).init(), assetEventModel(conn).init(), certificateModel(conn).init(), disposalRunModel(conn).init()]);
    await registerDatabase(conn, config.dbName);
    const backups = await registerBackups(conn);
    if (backups > 0) logger.info('backups registered as storage assets', { count: backups });
    if (config.disposalSchedule) jobs.set(services, scheduleDisposal(config.disposalSchedule, () => disposalServicesOf(services)));
  },
  stop: async (services) => {
    jobs.get(services)?.stop();
    jobs.delete(services);
  },
};

export { DATA_KINDS, dataKind, type DataKind, type RetentionAction } from './retention/dataKinds';
export { parseDuration, subtractDuration, type Duration } from './retention/duration';
export { loadRetention, RETENTION_FILE, type RetentionRule, type RetentionSchedule } from './retention/schedule';
export { dueFilter, evaluateRetentionCase, loadRetentionTable, type RetentionCase } from './retention/table';
export { checkAgainstManifests, disposalServicesOf, scheduleOf } from './services';
export { DisposalBusy, DisposalInterrupted, DISPOSAL_LEASE, resumeDisposals, runDisposal, type DisposalOptions, type DisposalServices } from './disposal/run';
export { disposalRunModel, RUN_COLLECTION, RUN_RECORD_COLLECTION, type DisposalItem, type DisposalRunDoc, type DisposalRunRecord } from './disposal/model';
export { RETENTION } from './disposal/rules';
export { ASSET_COLLECTION, ASSET_EVENT_COLLECTION, storageAssetModel, type StorageAssetDoc } from './assets/model';
export { CERTIFICATE_COLLECTION, certificateModel, type CertificateDoc } from './assets/certificate';
export { backupAssetId, databaseAssetId, registerBackup, registerDatabase } from './assets/registry';
