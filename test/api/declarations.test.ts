import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built declarations (dist/*.d.ts, `npm test` builds them first) as a consumer's
 * TypeScript sees them: a strict NodeNext project in a temporary folder whose
 * node_modules/dbfast links to this repository imports every listed name from 'dbfast' and
 * uses the README's example. Type-checks only; runs nothing and needs no server.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const listed = readFileSync(new URL('./exports.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0);

const consumer = `
import { ${listed.join(', ')} } from 'dbfast';
import { useTestDatabase } from 'dbfast/vitest';
import { dbfastGlobalSetup } from 'dbfast/vitest/setup';

export async function readme(): Promise<string> {
  const dbfast: Dbfast = await createDbfast({ configPath: './dbfast.toml', cloneTtlMs: null });
  const template: TemplateResult = await dbfast.ensureTemplate({ env: 'test' });
  const db: ClonedDatabase = await dbfast.clone({ env: 'test' });
  await db.drop();
  await dbfast.close();
  const project: Project = openProject({ configPath: './dbfast.toml' });
  const config: Project['config'] = project.config;
  const status: TemplateStatus = await templateStatus(project, { env: 'test' });
  try {
    await cloneDatabase(project, { env: 'test', name: 'x' });
  } catch (error) {
    if (isDbfastError(error) && error.exitCode === ExitCode.usage) return error.code;
    if (error instanceof DbfastError) return error.hint ?? error.message;
  }
  return [template.name, db.url, config.project.name, String(status.current), VERSION].join();
}
export const setup = dbfastGlobalSetup({ env: 'test' });
export const perFile = (): { url: string } => useTestDatabase({ per: 'file' });
export const ttl: number = DEFAULT_CLONE_TTL_MS;
`;

describe('the published type declarations', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dbfast-types-'));
    await mkdir(join(tmp, 'node_modules'));
    await symlink(ROOT.replace(/\/$/, ''), join(tmp, 'node_modules', 'dbfast'));
    await writeFile(join(tmp, 'package.json'), '{ "name": "consumer", "type": "module" }\n');
    await writeFile(join(tmp, 'consumer.ts'), consumer);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('type-check in a strict consumer project that imports every name, and carry TSDoc', () => {
    const file = join(tmp, 'consumer.ts');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      // The consumer's file and dbfast's own declarations are checked; other packages' are not.
      skipLibCheck: false,
    });
    const ours = program
      .getSourceFiles()
      .filter((f) => f.fileName === file || f.fileName.startsWith(join(ROOT, 'dist')));
    expect(ours.map((f) => f.fileName)).toContain(join(ROOT, 'dist', 'index.d.ts'));
    const problems = [
      ...program.getOptionsDiagnostics(),
      ...ours.flatMap((f) => [
        ...program.getSyntacticDiagnostics(f),
        ...program.getSemanticDiagnostics(f),
      ]),
    ].map((d) => {
      const where = d.file ? `${d.file.fileName.replace(ROOT, '')}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    expect(problems).toEqual([]);

    // Every export carries TSDoc in the declarations (what an editor shows a user).
    const checker = program.getTypeChecker();
    const index = program.getSourceFile(join(ROOT, 'dist', 'index.d.ts'));
    const moduleSymbol = index && checker.getSymbolAtLocation(index);
    expect(moduleSymbol).toBeDefined();
    const undocumented = checker
      .getExportsOfModule(moduleSymbol as ts.Symbol)
      .filter((symbol) => {
        const target =
          symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === '';
      })
      .map((symbol) => symbol.name);
    expect(undocumented).toEqual([]);
  });
});
