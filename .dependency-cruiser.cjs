/**
 * The house rules: every import in src/ points DOWN this list of layers (or stays inside its
 * own layer). Because the domain folders are ranked too, two folders can never import each
 * other, so there are no cycles between folders. `npm run lint` runs this; a new upward
 * import fails it. CONTRIBUTING.md explains the layers.
 *
 * Listed top (may import everything below) to bottom (imports nothing above it).
 */
const LAYERS = [
  ['cli', ['^src/cli/']],
  ['api', ['^src/index\\.ts$', '^src/dbfast\\.ts$', '^src/vitest/']],
  // Project-level commands above the modules they use: status, init, server start/stop, the
  // environment listing, gc (which walks templates, clones, snapshots and backups).
  ['services', ['^src/services/']],
  ['deploy', ['^src/deploy/']],
  ['snapshot', ['^src/snapshot/']],
  ['clone', ['^src/clone/']],
  ['backup', ['^src/backup/']],
  ['remote', ['^src/remote/']],
  ['template', ['^src/template/']],
  ['presets', ['^src/presets/']],
  ['sql', ['^src/sql/']],
  ['project', ['^src/project\\.ts$']],
  // Labels, names, ownership and work names of the databases dbfast makes (issue 11).
  ['catalog', ['^src/catalog/']],
  ['server', ['^src/server/']],
  ['config', ['^src/config/']],
  ['base', ['^src/errors\\.ts$', '^src/duration\\.ts$', '^src/version\\.ts$', '^src/reporter\\.ts$']],
];

/**
 * Today's upward imports, each one edge (file -> file) with the reason it is still there.
 * Do not add to this list: fix the import instead (move the code down, or pass it in).
 */
const EXCEPTIONS = [
  // None today: every import in src/ points down.
];

function upperPatterns(index) {
  return LAYERS.slice(0, index).flatMap(([, paths]) => paths);
}

function layerRules() {
  const rules = [];
  LAYERS.forEach(([name, paths], index) => {
    if (index === 0) return;
    const upper = upperPatterns(index);
    const excepted = EXCEPTIONS.filter(([from]) => paths.some((p) => sameLayer(from, p)));
    rules.push({
      name: `layer-${name}`,
      comment: `${name} imports only layers below it (see .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: paths, pathNot: excepted.map(([from]) => from) },
      to: { path: upper },
    });
    for (const [from, allowed] of excepted) {
      rules.push({
        name: `layer-${name}-exception`,
        comment: `${name}: only the listed upward import of ${from} is allowed`,
        severity: 'error',
        from: { path: from },
        to: { path: upper, pathNot: allowed },
      });
    }
  });
  return rules;
}

// An exception's file pattern belongs to a layer when the layer's folder pattern is a prefix
// of it (`^src/sql/` for `^src/sql/executor\.ts$`) or the two are the same single file.
function sameLayer(from, layerPath) {
  return from === layerPath || from.startsWith(layerPath);
}

module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'no-circular',
      // A cycle made only of `import type` vanishes at run time (plan.ts <-> plan-steps.ts
      // share types); a cycle through a value import is an initialisation-order bug waiting.
      comment: 'no import cycles between modules through value imports',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-test',
      comment: 'src never imports tests, benches or scripts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
