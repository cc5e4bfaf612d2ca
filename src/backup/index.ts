/** Backups that forget: encrypted per backup, the key vault never included, erasures re-applied at restore. */
export { BACKUP_RECORDS, takeBackup, type BackupRecord } from './backup';
export { BACKUP_FORMAT, backupKeyId, BackupError, type Manifest } from './format';
export { restoreBackup, type RestoreResult } from './restore';
