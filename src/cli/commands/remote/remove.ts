import { removeRemote } from '../../../remote/edit.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';
import { configFile } from './config-file.js';

export function registerRemoteRemove(remote: CommandGroup): void {
  remote
    .command('remove')
    .description('remove [remotes.NAME] (exactly its lines) from dbfast.toml')
    .argument('<name>', 'remote name')
    .addHelpText('after', '\nExamples:\n  $ dbfast remote remove staging')
    .action(
      action(async (ctx, name) => {
        const configPath = configFile(ctx);
        await removeRemote({ configPath, name });
        return {
          json: { ok: true, configPath, removed: name },
          text: `removed remote ${name} from ${configPath}`,
        };
      }),
    );
}
