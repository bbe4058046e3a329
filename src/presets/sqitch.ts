import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { layoutError, lines, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan } from './types.js';

interface PlanChange {
  name: string;
  line: number;
  /** The first tag after this change when the change is reworked later (`deploy/name@tag.sql`). */
  tag?: string;
}

/**
 * Sqitch: the deploy scripts (`deploy/<change>.sql`) of the changes `sqitch.plan` lists, in
 * plan order; a change reworked later in the plan runs its earlier version from
 * `deploy/<change>@<tag>.sql`. Revert and verify scripts are not run. Sqitch's own registry
 * (the `sqitch` schema) is NOT written: `sqitch deploy` against a clone would deploy again.
 */
export const sqitch: Preset = {
  name: 'sqitch',
  tool: 'Sqitch',
  defaultPath: '.',
  async scan(root: string): Promise<PresetScan> {
    const planPath = join(root, 'sqitch.plan');
    if (!existsSync(planPath)) {
      throw layoutError(
        'sqitch_plan',
        `${planPath} does not exist.`,
        'Point [repository] path at the folder holding sqitch.plan.',
      );
    }
    const changes = parsePlan(await readText(planPath));
    const units: MigrationUnit[] = [];
    for (const change of changes) {
      const path = `deploy/${change.name}${change.tag === undefined ? '' : `@${change.tag}`}.sql`;
      if (!existsSync(join(root, path))) {
        throw layoutError(
          'sqitch_missing',
          `sqitch.plan:${change.line} lists ${change.name}, but ${path} does not exist.`,
          'Add the deploy script, or fix sqitch.plan.',
        );
      }
      units.push(
        sqlUnit(root, path, { why: `change ${change.name} (sqitch.plan line ${change.line})` }),
      );
    }
    return { units, bookkeeping: [], inputs: [planPath], skipped: [] };
  },
};

/** The changes of a plan in order, with the tag that names a reworked change's earlier script. */
export function parsePlan(text: string): PlanChange[] {
  const changes: PlanChange[] = [];
  /** Changes seen since the last tag, waiting for it (for rework names). */
  let untagged: PlanChange[] = [];
  const latest = new Map<string, PlanChange>();
  lines(text).forEach((line, index) => {
    const content = line.text.replace(/(^|\s)#.*$/, '').trim();
    if (content === '' || content.startsWith('%')) return;
    if (content.startsWith('@')) {
      const tag = (content.split(/\s+/)[0] as string).slice(1);
      for (const change of untagged) change.tag ??= tag;
      untagged = [];
      return;
    }
    const name = (content.split(/\s+/)[0] as string).replace(/^\+/, '');
    if (name.startsWith('-')) {
      throw layoutError(
        'sqitch_revert',
        `sqitch.plan:${index + 1} reverts a change (${name}); dbfast runs deploy scripts only.`,
        'Remove the revert line from the plan, or keep this project on sqitch itself.',
      );
    }
    const change: PlanChange = { name, line: index + 1 };
    const earlier = latest.get(name);
    // A reworked change: the earlier one keeps its script under the tag that followed it.
    if (earlier !== undefined && earlier.tag === undefined) {
      throw layoutError(
        'sqitch_rework',
        `sqitch.plan:${index + 1} reworks ${name} without a tag in between; sqitch refuses that.`,
        'Tag the plan before reworking a change.',
      );
    }
    latest.set(name, change);
    changes.push(change);
    untagged.push(change);
  });
  // Only earlier versions of reworked changes use the tagged script name.
  for (const change of changes) if (latest.get(change.name) === change) delete change.tag;
  return changes;
}
