import { createHash } from 'node:crypto';
import type { BookkeepingStatement } from '../sql/bookkeeping.js';
import { layoutError } from './files.js';
import type { Plan, PlanChange } from './sqitch-plan.js';

/** Who the registry says deployed the changes (sqitch records its user; dbfast did it here). */
const COMMITTER = ['dbfast', 'dbfast@localhost'];

/**
 * The rows `sqitch deploy` writes into its registry (the `sqitch` schema, registry version
 * 1.1 as created by App::Sqitch::Engine::pg's pg.sql): the project, then per change its
 * `changes` row (id = sha1 of "change <length>\0<info>", as App::Sqitch::Plan::Change
 * computes it; script_hash = sha1 of the deploy script), its dependencies, the tags that
 * follow it and a `deploy` event. `scripts` holds each change's deploy script bytes.
 */
export function sqitchRegistry(plan: Plan, scripts: Buffer[]): BookkeepingStatement[] {
  const ids: string[] = [];
  const statements: BookkeepingStatement[] = [...REGISTRY_DDL.map((text) => ({ text }))];
  statements.push({
    text: 'INSERT INTO sqitch.releases (version, installer_name, installer_email) VALUES (1.1, $1, $2)',
    values: COMMITTER,
  });
  statements.push({
    text: 'INSERT INTO sqitch.projects (project, uri, creator_name, creator_email) VALUES ($1, $2, $3, $4)',
    values: [plan.project, plan.uri ?? null, ...COMMITTER],
  });
  plan.changes.forEach((change, i) => {
    const id = changeId(plan, change, ids[i - 1]);
    ids.push(id);
    const planned = [change.timestamp, change.plannerName, change.plannerEmail];
    statements.push({
      text: 'INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      values: [
        id,
        createHash('sha1')
          .update(scripts[i] as Buffer)
          .digest('hex'),
        change.name,
        plan.project,
        change.note,
        ...COMMITTER,
        ...planned,
      ],
    });
    for (const dependency of change.requires) {
      statements.push({
        text: "INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES ($1, 'require', $2, $3)",
        values: [id, dependency, dependencyId(plan, ids, i, dependency)],
      });
    }
    for (const dependency of change.conflicts) {
      statements.push({
        text: "INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES ($1, 'conflict', $2, NULL)",
        values: [id, dependency],
      });
    }
    for (const tag of change.tags) {
      const info = [
        `project ${plan.project}`,
        ...(plan.uri === undefined ? [] : [`uri ${plan.uri}`]),
        `tag @${tag.name}`,
        `change ${id}`,
        `planner ${tag.plannerName} <${tag.plannerEmail}>`,
        `date ${tag.timestamp}`,
        ...(tag.note === '' ? [] : ['', tag.note]),
      ].join('\n');
      statements.push({
        text: 'INSERT INTO sqitch.tags (tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        values: [
          objectId('tag', info),
          `@${tag.name}`,
          plan.project,
          id,
          tag.note,
          ...COMMITTER,
          tag.timestamp,
          tag.plannerName,
          tag.plannerEmail,
        ],
      });
    }
    statements.push({
      text: "INSERT INTO sqitch.events (event, change_id, change, project, note, requires, conflicts, tags, committer_name, committer_email, planned_at, planner_name, planner_email) VALUES ('deploy', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      values: [
        id,
        change.name,
        plan.project,
        change.note,
        change.requires,
        change.conflicts,
        change.tags.map((tag) => `@${tag.name}`),
        ...COMMITTER,
        ...planned,
      ],
    });
  });
  return statements;
}

/** App::Sqitch::Plan::Change's info text, hashed as its id. */
function changeId(plan: Plan, change: PlanChange, parent: string | undefined): string {
  const info = [
    `project ${plan.project}`,
    ...(plan.uri === undefined ? [] : [`uri ${plan.uri}`]),
    `change ${change.name}`,
    ...(parent === undefined ? [] : [`parent ${parent}`]),
    `planner ${change.plannerName} <${change.plannerEmail}>`,
    `date ${change.timestamp}`,
    ...(change.requires.length === 0 ? [] : [`requires\n  + ${change.requires.join('\n  + ')}`]),
    ...(change.conflicts.length === 0 ? [] : [`conflicts\n  - ${change.conflicts.join('\n  - ')}`]),
    ...(change.note === '' ? [] : ['', change.note]),
  ].join('\n');
  return objectId('change', info);
}

function objectId(kind: 'change' | 'tag', info: string): string {
  const content = Buffer.from(info, 'utf8');
  return createHash('sha1').update(`${kind} ${content.length}\0`).update(content).digest('hex');
}

/**
 * The id of the change a `requires` entry names: `name` is its latest occurrence before this
 * change; `name@tag` the occurrence the tag follows (or precedes). Other projects' changes
 * (`project:name`) are not in this plan.
 */
function dependencyId(plan: Plan, ids: string[], at: number, dependency: string): string {
  const [name, tag] = dependency.split('@');
  const found = plan.changes.findIndex((change, i) => {
    if (i >= at || change.name !== name) return false;
    if (tag === undefined) return !plan.changes.slice(i + 1, at).some((c) => c.name === name);
    // The change the tag applies to: the last occurrence at or before the tag.
    const tagAt = plan.changes.findIndex((c) => c.tags.some((t) => t.name === tag));
    return i <= tagAt && !plan.changes.slice(i + 1, tagAt + 1).some((c) => c.name === name);
  });
  if (found < 0 || dependency.includes(':')) {
    throw layoutError(
      'sqitch_dependency',
      `sqitch.plan:${plan.changes[at]?.line}: "${dependency}" names no earlier change of this plan.`,
      'dbfast reads one plan; dependencies on other projects are not supported.',
    );
  }
  return ids[found] as string;
}

/** App::Sqitch::Engine::pg's registry (pg.sql, registry 1.1) in the `sqitch` schema. */
const REGISTRY_DDL = [
  'CREATE SCHEMA IF NOT EXISTS sqitch',
  'CREATE TABLE sqitch.releases (version REAL PRIMARY KEY, installed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), installer_name TEXT NOT NULL, installer_email TEXT NOT NULL)',
  'CREATE TABLE sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), creator_name TEXT NOT NULL, creator_email TEXT NOT NULL)',
  "CREATE TABLE sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE(project, script_hash))",
  "CREATE TABLE sqitch.tags (tag_id TEXT PRIMARY KEY, tag TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE, change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE(project, tag))",
  "CREATE TABLE sqitch.dependencies (change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE, type TEXT NOT NULL, dependency TEXT NOT NULL, dependency_id TEXT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE CONSTRAINT dependencies_check CHECK ((type = 'require' AND dependency_id IS NOT NULL) OR (type = 'conflict' AND dependency_id IS NULL)), PRIMARY KEY (change_id, dependency))",
  "CREATE TABLE sqitch.events (event TEXT NOT NULL CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')), change_id TEXT NOT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '', requires TEXT[] NOT NULL DEFAULT '{}', conflicts TEXT[] NOT NULL DEFAULT '{}', tags TEXT[] NOT NULL DEFAULT '{}', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, PRIMARY KEY (change_id, committed_at))",
];
