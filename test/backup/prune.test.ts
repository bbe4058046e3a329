import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupManifest, VerificationRecord } from '../../src/backup/manifest.js';
import { planPrune, pruneBackups } from '../../src/backup/retention.js';
import { type BackupEntry, backupStamp, listBackupEntries } from '../../src/backup/store.js';
import { DbfastError } from '../../src/errors.js';
import { openProject } from '../../src/project.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-30T12:00:00Z');

/** A backup entry `daysAgo` old, verified or not (no files: retention only reads manifests). */
function entry(source: string, daysAgo: number, verified?: boolean): BackupEntry {
  const started = new Date(NOW.getTime() - daysAgo * DAY);
  const id = `${source}/${backupStamp(started)}`;
  const manifest = { id, startedAt: started.toISOString(), bytes: 100 } as BackupManifest;
  const verification =
    verified === undefined ? undefined : ({ ok: verified } as VerificationRecord);
  return { id, source, dir: `/x/${id}`, manifest, verification, problem: undefined };
}

const kept = (decisions: ReturnType<typeof planPrune>) =>
  decisions.filter((d) => d.keep).map((d) => d.id);

describe('retention policy', () => {
  it('keeps the newest N per source', () => {
    const entries = [0, 1, 2, 3].map((d) => entry('prod', d, true));
    const other = [entry('stage', 5, true), entry('stage', 6, true)];
    const decisions = planPrune([...entries, ...other], { keepLast: 2 }, NOW);
    expect(kept(decisions)).toEqual([entries[0]?.id, entries[1]?.id, other[0]?.id, other[1]?.id]);
  });

  it('deletes what is older than max-age, but never the newest verified backup', () => {
    const fresh = entry('prod', 1, false);
    const oldVerified = entry('prod', 40, true);
    const older = entry('prod', 50, true);
    const decisions = planPrune([fresh, oldVerified, older], { maxAgeMs: 30 * DAY }, NOW);
    expect(kept(decisions)).toEqual([fresh.id, oldVerified.id]);
    expect(decisions.find((d) => d.id === oldVerified.id)?.reason).toContain('always kept');
    expect(decisions.find((d) => d.id === older.id)?.reason).toBe('older than 30 d');
  });

  it('combines keep-last and max-age (either one deletes) and ignores broken folders', () => {
    const list = [entry('prod', 0, true), entry('prod', 2), entry('prod', 3), entry('prod', 9)];
    const broken: BackupEntry = { ...entry('prod', 1), manifest: undefined, problem: 'x' };
    const decisions = planPrune([...list, broken], { keepLast: 3, maxAgeMs: 2.5 * DAY }, NOW);
    expect(kept(decisions)).toEqual([list[0]?.id, list[1]?.id]);
    expect(decisions.map((d) => d.id)).not.toContain(broken.id);
  });
});

describe('dbfast backup prune (files)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function folderOf(days: number[], toml: string) {
    dir = await mkdtemp(join(tmpdir(), 'dbfast-prune-'));
    for (const d of days) {
      const e = entry('prod', d, true);
      const path = join(dir, 'backups', e.id);
      await mkdir(path, { recursive: true });
      const manifest = {
        ...e.manifest,
        manifestVersion: 1,
        archive: 'dump',
        files: [],
        startedAt: new Date(Date.now() - d * DAY).toISOString(),
      };
      await writeFile(join(path, 'manifest.json'), JSON.stringify(manifest));
      await writeFile(join(path, 'verified.json'), JSON.stringify({ ok: true }));
    }
    // An unfinished backup is never touched.
    await mkdir(join(dir, 'backups', 'prod', '.partial-20250101T000000Z-1'), { recursive: true });
    const configPath = join(dir, 'dbfast.toml');
    await writeFile(configPath, `[backups]\ndir = "backups"\n${toml}`);
    return openProject({ configPath, env: {} });
  }

  it('uses [backups] keep_last, refuses without confirmation, then deletes exactly the rest', async () => {
    const project = await folderOf([0, 1, 2, 3, 4], 'keep_last = 2\n');
    const error = await pruneBackups(project).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbfastError);
    expect(error).toMatchObject({ code: 'prune.unconfirmed', exitCode: 2 });
    const dry = await pruneBackups(project, { dryRun: true });
    expect(dry.deleted).toHaveLength(3);
    expect(await listBackupEntries(project.config.backups.dir)).toHaveLength(5);
    const done = await pruneBackups(project, { confirmed: true });
    expect(done.deleted).toEqual(dry.deleted);
    const left = await listBackupEntries(project.config.backups.dir);
    expect(left.map((e) => e.id)).toEqual(dry.decisions.filter((d) => d.keep).map((d) => d.id));
    expect((await readdir(join(project.config.backups.dir, 'prod'))).sort()).toEqual(
      [...left.map((e) => e.id.split('/')[1]), '.partial-20250101T000000Z-1'].sort(),
    );
  });

  it('flags win over [backups]; no policy at all is a usage error', async () => {
    const project = await folderOf([0, 10, 20], '');
    const none = await pruneBackups(project, { dryRun: true }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'prune.no_policy', exitCode: 2 });
    const result = await pruneBackups(project, { maxAgeMs: 15 * DAY, confirmed: true });
    expect(result.deleted).toHaveLength(1);
  });
});
