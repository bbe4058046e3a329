import { performance } from 'node:perf_hooks';
const lib = await import('./dist/index.js');
const t0 = performance.now();
const stamp = (m) => console.log((performance.now() - t0).toFixed(0).padStart(6), m);
const project = lib.openProject({ configPath: '/tmp/dprof/dbfast.toml', env: {}, reporter: { progress: (e) => stamp(`progress ${e.done} ${e.label}`), notice: stamp } });
await lib.ensureTemplate(project, {});
stamp('template ready');
for (let i = 0; i < 2; i++) {
  const s = performance.now();
  stamp('plan start');
  await lib.planDeploy(project, { remote: 'r' });
  stamp('plan done');
  const r = await lib.deployTemplate(project, { remote: 'r', replace: true, backup: false });
  stamp(`deploy done ${JSON.stringify(r.timings)} total ${(performance.now() - s).toFixed(0)}`);
  await r.finished; if (r.previous) await lib.withClient(await project.connection(), (c) => c.query(`DROP DATABASE "${r.previous}"`));
}
