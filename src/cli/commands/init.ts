import { initProject } from '../../services/init.js';
import { action } from '../context.js';
import type { Program } from '../root.js';

export function registerInit(program: Program): void {
  program
    .command('init')
    .description(
      "write a dbfast.toml for the migration tool's folder found here (prisma/migrations, supabase/migrations, db/migrations with goose or dbmate markers, …), or a starter dbfast.toml and sql/ skeleton",
    )
    .option('--force', 'overwrite existing files')
    .option('--plain', 'write the plain starter even when a migration tool folder is found')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast init && dbfast seed --output demo\n  $ cd my-prisma-app && dbfast init   # finds prisma/migrations, writes type = "prisma"',
    )
    .action(
      action(async (_ctx, options) => {
        const result = await initProject(process.cwd(), {
          force: options.force === true,
          plain: options.plain === true,
        });
        const found = result.detected;
        return {
          json: { ok: true, ...result },
          text: [
            found === undefined
              ? `Wrote ${result.written.join(', ')}.`
              : `Found ${found.evidence}: a ${found.tool} project.\nWrote dbfast.toml with [repository] type = "${found.type}", path = "./${found.path}".`,
            ...(result.written.includes('.dbfast/.gitignore')
              ? [
                  'Wrote .dbfast/.gitignore: git ignores .dbfast/ (the embedded server and backups).',
                ]
              : []),
            'Next: dbfast seed --output demo',
          ].join('\n'),
        };
      }),
    );
}
