import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, readText, sqlUnit } from './files.js';
import { parsePlan } from './sqitch-plan.js';
import { sqitchRegistry } from './sqitch-registry.js';
import type { MigrationUnit, Preset, PresetScan } from './types.js';

/**
 * Sqitch: the deploy scripts (`deploy/<change>.sql`) of the changes `sqitch.plan` lists, in
 * plan order; a change reworked later in the plan runs its earlier version from
 * `deploy/<change>@<tag>.sql`. Revert and verify scripts are not run. The registry (the
 * `sqitch` schema) gets the rows `sqitch deploy` writes, so sqitch finds nothing to deploy.
 */
export const sqitch: Preset = {
  name: 'sqitch',
  tool: 'Sqitch',
  defaultPath: PRESET_DEFAULT_PATHS.sqitch,
  async scan(root: string): Promise<PresetScan> {
    const planPath = join(root, 'sqitch.plan');
    if (!existsSync(planPath)) {
      throw layoutError(
        'sqitch_plan',
        `${planPath} does not exist.`,
        'Point [repository] path at the folder holding sqitch.plan.',
      );
    }
    const plan = parsePlan(await readText(planPath));
    const units: MigrationUnit[] = [];
    const scripts: Buffer[] = [];
    for (const change of plan.changes) {
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
      scripts.push(await readFile(join(root, path)));
    }
    return {
      units,
      bookkeeping: sqitchRegistry(plan, scripts),
      inputs: [planPath],
      skipped: [],
    };
  },
};
