import { layoutError, lines } from './files.js';

/** A change of a sqitch plan, with what its registry rows and id are made of. */
export interface PlanChange {
  name: string;
  line: number;
  /** The first tag after this change when the change is reworked later (`deploy/name@tag.sql`). */
  tag?: string;
  requires: string[];
  conflicts: string[];
  /** As written: `2024-01-01T00:00:00Z`. */
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  note: string;
  /** The tags that follow this change directly (`@v1.0`). */
  tags: PlanTag[];
}

export interface PlanTag {
  name: string;
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  note: string;
}

export interface Plan {
  project: string;
  uri: string | undefined;
  changes: PlanChange[];
}

/** `name [deps] timestamp planner <email> # note` (a tag's name starts with `@`). */
const LINE =
  /^([+-]?)(\S+?)(?:\s+\[([^\]]*)\])?\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(.*?)\s*<([^>]*)>(?:\s+#\s?(.*))?$/;

/**
 * A sqitch plan: its project, uri and changes in order, each with the tags that follow it and
 * the tag naming its script when the change is reworked later. Throws what sqitch refuses.
 */
export function parsePlan(text: string): Plan {
  const plan: Plan = { project: '', uri: undefined, changes: [] };
  /** Changes seen since the last tag, waiting for it (for rework names). */
  let untagged: PlanChange[] = [];
  const latest = new Map<string, PlanChange>();
  lines(text).forEach((line, index) => {
    const content = line.text.trim();
    const pragma = /^%\s*(\w+)\s*=\s*(.*?)\s*$/.exec(content);
    if (pragma?.[1] === 'project') plan.project = pragma[2] as string;
    if (pragma?.[1] === 'uri') plan.uri = pragma[2] as string;
    if (content === '' || content.startsWith('%') || content.startsWith('#')) return;
    const match = LINE.exec(content);
    if (match === null) {
      throw layoutError(
        'sqitch_plan_line',
        `sqitch.plan:${index + 1} is not a change or tag line sqitch can read: ${content}`,
        'Lines read `name [dependencies] 2024-01-01T00:00:00Z Name <email> # note`.',
      );
    }
    const [
      ,
      op,
      name = '',
      deps = '',
      timestamp = '',
      plannerName = '',
      plannerEmail = '',
      note = '',
    ] = match;
    const planned = { timestamp, plannerName, plannerEmail, note: note.trim() };
    if (name.startsWith('@')) {
      const tag: PlanTag = { name: name.slice(1), ...planned };
      plan.changes.at(-1)?.tags.push(tag);
      for (const change of untagged) change.tag ??= tag.name;
      untagged = [];
      return;
    }
    if (op === '-') {
      throw layoutError(
        'sqitch_revert',
        `sqitch.plan:${index + 1} reverts a change (${name}); dbfast runs deploy scripts only.`,
        'Remove the revert line from the plan, or keep this project on sqitch itself.',
      );
    }
    const tokens = deps.split(/\s+/).filter((token) => token !== '');
    const change: PlanChange = {
      name,
      line: index + 1,
      requires: tokens.filter((t) => !t.startsWith('!')),
      conflicts: tokens.filter((t) => t.startsWith('!')).map((t) => t.slice(1)),
      ...planned,
      tags: [],
    };
    const earlier = latest.get(name);
    if (earlier !== undefined && earlier.tag === undefined) {
      throw layoutError(
        'sqitch_rework',
        `sqitch.plan:${index + 1} reworks ${name} without a tag in between; sqitch refuses that.`,
        'Tag the plan before reworking a change.',
      );
    }
    latest.set(name, change);
    plan.changes.push(change);
    untagged.push(change);
  });
  // Only earlier versions of reworked changes use the tagged script name.
  for (const change of plan.changes) if (latest.get(change.name) === change) delete change.tag;
  return plan;
}
