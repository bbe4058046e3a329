import type { Command } from 'commander';
import { initProject } from '../../index.js';
import { action } from '../context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a starter dbfast.toml and sql/ skeleton in the current folder')
    .option('--force', 'overwrite existing files')
    .addHelpText('after', '\nExample:\n  $ dbfast init && dbfast seed --output demo')
    .action(
      action(async (_ctx, options: { force?: boolean }) => {
        const result = await initProject(process.cwd(), { force: options.force === true });
        return {
          json: { ok: true, ...result },
          text: `Wrote ${result.written.join(', ')}.\nNext: dbfast seed --output demo`,
        };
      }),
    );
}
