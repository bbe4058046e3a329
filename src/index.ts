/**
 * The dbfast library API: what the CLI calls, and what a test setup imports.
 */

export type { BackupSummary } from './backup/list.js';
export { listBackups } from './backup/list.js';
export type { BackupManifest, ManifestFile, VerificationRecord } from './backup/manifest.js';
export type { RestoreOptions, RestorePlan, RestoreResult } from './backup/restore.js';
export { planRestore, restoreBackup } from './backup/restore.js';
export type {
  PruneDecision,
  PruneOptions,
  PruneResult,
  RetentionPolicy,
} from './backup/retention.js';
export { planPrune, pruneBackups } from './backup/retention.js';
export { sourceFilterOf } from './backup/source.js';
export type { SourceFilter } from './backup/store.js';
export { encodeSegment } from './backup/store.js';
export type { BackupResult, CreateBackupOptions } from './backup/take-backup.js';
export { createBackup } from './backup/take-backup.js';
export type { VerifyResult } from './backup/verify.js';
export { verifyAllBackups, verifyBackup } from './backup/verify.js';
export type { CloneOptions, CloneResult, TemplateRef } from './clone/clone-database.js';
export { cloneDatabase, resolveTemplate } from './clone/clone-database.js';
export type { GcItem, GcOptions, GcResult } from './clone/gc.js';
export { collectGarbage } from './clone/gc.js';
export type { CloneEntry, DropResult } from './clone/inventory.js';
export { dropClones, listClones } from './clone/inventory.js';
export type { PoolFillResult, PoolMember, PoolStatus } from './clone/pool.js';
export { drainPool, fillPool, poolMembers, poolStatus } from './clone/pool.js';
export type { BackgroundRefillOptions, RefillStart } from './clone/refill.js';
export { refillLockPath, releaseRefillLock, startBackgroundRefill } from './clone/refill.js';
export { chooseStrategy, FILE_COPY_THRESHOLD_BYTES } from './clone/strategy.js';
export { findConfigFile, loadConfig, resolveConfig } from './config/load.js';
export type * from './config/types.js';
export { connectionUrl, redactUrl } from './config/url.js';
export type { ClonedDatabase, Dbfast, DbfastOptions } from './dbfast.js';
export { createDbfast, DEFAULT_CLONE_TTL_MS } from './dbfast.js';
export type { DeployResult } from './deploy/deploy.js';
export { deployTemplate, undoSql } from './deploy/deploy.js';
export type { DeployOptions, DeployPlan } from './deploy/plan.js';
export { planDeploy } from './deploy/plan.js';
export { deployTools } from './deploy/tools.js';
export type { PgErrorFields, SourceLocation } from './errors.js';
export {
  DbfastError,
  ExitCode,
  interruptedError,
  isDbfastError,
  throwIfAborted,
  usageError,
} from './errors.js';
export type { InitResult } from './init.js';
export { initProject } from './init.js';
export { type DetectedLayout, detectLayout } from './presets/detect.js';
export { PRESETS, REPOSITORY_TYPES } from './presets/registry.js';
export { type ProjectScan, scanProject } from './presets/scan.js';
export type { MigrationUnit, Preset, PresetScan } from './presets/types.js';
export type { OpenProjectOptions } from './project.js';
export { openProject, Project } from './project.js';
export type { AddRemoteOptions } from './remote/edit.js';
export { addRemote, removeRemote } from './remote/edit.js';
export type { RemoteSummary } from './remote/remotes.js';
export { getRemote, listRemotes } from './remote/remotes.js';
export type { RemoteTestReport } from './remote/test.js';
export { testRemote } from './remote/test.js';
export type { RemoteSpec } from './remote/toml-edit.js';
export type { ProgressEvent, Reporter } from './reporter.js';
export { withAdvisoryLock, withClient, withTransaction } from './server/connection.js';
export type { ServerState } from './server/control.js';
export { serverState, startServer, stopServer } from './server/control.js';
export {
  connectionLostError,
  describeFailure,
  fileSystemError,
  isConnectionLost,
} from './server/failures.js';
export { databaseIdent, quoteIdent, validateDatabaseName } from './server/identifiers.js';
export type { ServerInfo } from './server/info.js';
export { serverInfo } from './server/info.js';
export type { PgTool, PgToolName } from './server/pg-tools.js';
export { findPgTool, listPgTools } from './server/pg-tools.js';
export type { PreviousState, SnapshotEntry, SnapshotList } from './snapshot/list.js';
export { dropPreviousStates, dropSnapshot, listSnapshots } from './snapshot/list.js';
export type { RestoreSnapshotOptions, SnapshotRestoreResult } from './snapshot/restore.js';
export { restoreSnapshot } from './snapshot/restore.js';
export type {
  PrepareSnapshotResult,
  SaveSnapshotOptions,
  SnapshotSaveResult,
} from './snapshot/save.js';
export { prepareSnapshot, saveSnapshot } from './snapshot/save.js';
export { classifyStatement } from './sql/classify.js';
export type { EnvironmentSummary, EnvironmentValidation } from './sql/environments.js';
export {
  assertEnvironmentValid,
  listEnvironments,
  validateEnvironment,
} from './sql/environments.js';
export type { ApplyOptions, ApplySummary, ExecuteOptions, FileSummary } from './sql/executor.js';
export { applyRepository, executeFiles } from './sql/executor.js';
export type { Segment } from './sql/lexer.js';
export { lex } from './sql/lexer.js';
export type { RepositoryFile } from './sql/scan.js';
export { listRepository, scanRepository } from './sql/scan.js';
export type { StatusReport } from './status.js';
export { projectStatus } from './status.js';
export type { EnsureTemplateOptions, TemplateResult } from './template/ensure.js';
export { abandonOwnBuilds, ensureTemplate } from './template/ensure.js';
export type { Explanation, Fingerprint } from './template/fingerprint.js';
export { computeFingerprint, explain, explanationLines } from './template/fingerprint.js';
export type { TemplateEntry, TemplateStatus } from './template/manage.js';
export { dropTemplates, listTemplates, templateStatus } from './template/manage.js';
export type { TemplateWatcher, WatchEvent, WatchOptions } from './template/watch.js';
export { rebuildQueue, watchTemplate } from './template/watch.js';
export { VERSION } from './version.js';
