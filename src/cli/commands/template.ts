import type { Program } from '../root.js';
import { registerTemplateBuild } from './template/build.js';
import { registerTemplateDrop } from './template/drop.js';
import { registerTemplateList } from './template/list.js';
import { registerTemplateStatus } from './template/status.js';

export function registerTemplate(program: Program): void {
  const template = program
    .command('template')
    .description('build, inspect and drop template databases')
    .addHelpText(
      'after',
      `
Examples:
  $ dbfast template build                 build the default environment's template if stale
  $ dbfast template build --env test --force
  $ dbfast template status --why          is it current? if not, exactly what changed
  $ dbfast template list
  $ dbfast template drop --stale --yes`,
    );
  registerTemplateBuild(template);
  registerTemplateStatus(template);
  registerTemplateList(template);
  registerTemplateDrop(template);
}
