/**
 * The dbfast library API: what `import … from 'dbfast'` gives, and nothing else. Each name
 * here is a semver promise and is listed in the README's "Library API" section and in
 * test/api/exports.txt (test/api/exports.test.ts checks both). Everything else in src/ is
 * internal: the CLI (bundled) and the tests import those modules directly.
 *
 * Shared guarantees: an expected failure rejects with a DbfastError (a stable `code`, a
 * message saying what happened and where, a `hint`, the `exitCode` the CLI would use,
 * PostgreSQL's own fields in `pg`); a `pg` or file-system error may also surface unwrapped.
 * Nothing prints or exits. Nothing drops a database this project did not make (README,
 * "Ownership"), and nothing replaces one unless an option (`force`, `replace`) allows it,
 * keeping the replaced one aside where the README says so. No password appears in a
 * result, a label or an error.
 */

export type { BackupSummary } from './backup/list.js';
export { listBackups } from './backup/list.js';
export type { BackupManifest } from './backup/manifest.js';
export type { RestoreOptions, RestoreResult } from './backup/restore.js';
export { restoreBackup } from './backup/restore.js';
export type { BackupResult, CreateBackupOptions } from './backup/take-backup.js';
export { createBackup } from './backup/take-backup.js';
export type { CloneOptions, CloneResult } from './clone/clone-database.js';
export { cloneDatabase } from './clone/clone-database.js';
export type { ClonedDatabase, Dbfast, DbfastOptions } from './dbfast.js';
export { createDbfast, DEFAULT_CLONE_TTL_MS } from './dbfast.js';
export type { DeployResult } from './deploy/deploy.js';
export { deployTemplate } from './deploy/deploy.js';
export type { DeployOptions, DeployPlan } from './deploy/plan.js';
export { planDeploy } from './deploy/plan.js';
export type { PgErrorFields, SourceLocation } from './errors.js';
export { DbfastError, ExitCode, isDbfastError } from './errors.js';
export type { OpenProjectOptions, Project } from './project.js';
export { openProject } from './project.js';
export type { ProgressEvent, Reporter } from './reporter.js';
export type { GcItem, GcOptions, GcResult } from './services/gc.js';
export { collectGarbage } from './services/gc.js';
export type { SnapshotEntry, SnapshotList } from './snapshot/list.js';
export { listSnapshots } from './snapshot/list.js';
export type { RestoreSnapshotOptions, SnapshotRestoreResult } from './snapshot/restore.js';
export { restoreSnapshot } from './snapshot/restore.js';
export type { SaveSnapshotOptions, SnapshotSaveResult } from './snapshot/save.js';
export { saveSnapshot } from './snapshot/save.js';
export type { EnsureTemplateOptions, TemplateResult } from './template/ensure.js';
export { ensureTemplate } from './template/ensure.js';
export type { TemplateStatus } from './template/manage.js';
export { templateStatus } from './template/manage.js';
export type { TemplateWatcher, WatchEvent, WatchOptions } from './template/watch.js';
export { watchTemplate } from './template/watch.js';
export { VERSION } from './version.js';
