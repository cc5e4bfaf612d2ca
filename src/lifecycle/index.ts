export { DATA_KINDS, dataKind, type DataKind, type RetentionAction } from './retention/dataKinds';
export { parseDuration, subtractDuration, type Duration } from './retention/duration';
export { loadRetention, RETENTION_FILE, type RetentionRule, type RetentionSchedule } from './retention/schedule';
export { dueFilter, evaluateRetentionCase, loadRetentionTable, type RetentionCase } from './retention/table';
