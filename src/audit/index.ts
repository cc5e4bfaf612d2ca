/**
 * The records layer: the access log (one document per request, read as one entry per subject),
 * the per-request recorder with its write-ahead commit, and (tlog/) the transparency log that
 * makes the records prove themselves.
 */
export {
  accessLogModel, countEntries, entriesWhere, flatten, readEntries, AppendOnlyError,
  type AccessEntry, type AccessEvent, type AccessLogModel, type AccessLogRecord, type Actor, type Decision, type EntryFilter, type EntryPosition, type WritePhase,
} from './accessLog';
export { AccessRecorder, AuditWriteError, LogWriter, type LogWriterOptions, type RecordScope } from './recorder';
export {
  appendConsentEvents, CONSENT_SOURCES, ConsentLedgerAppendOnlyError, consentEventModel, consentHistoryOf, purgeConsentEventsOf,
  type ConsentEventDoc, type ConsentEventModel, type ConsentSource,
} from './consentLedger';
export { ACCESS_LOG_RECORDS, CONSENT_RECORDS, isPruned, leafBodies, leafHashesOf, pruneToHash, SEQUENCER_FIELDS, type PrunedRecord, type RecordSource } from './records';
