import { access, readFile } from 'node:fs/promises';
import { DbfastError } from '../errors.js';
import { classifyStatement } from './classify.js';
import { InvalidBytes } from './encoding.js';
import type { MetaSegment, Segment, StatementSegment } from './lexer.js';
import { MetaProblem, metaAction } from './meta.js';
import type { PlanOptions, SourceFile } from './plan.js';
import { type At, display, invalidBytes, located, metaText } from './plan-errors.js';
import { conditional, settingsChanged } from './plan-state.js';
import type { Item } from './plan-steps.js';
import { SourceReader } from './source-reader.js';
import { interpolate } from './variables.js';

/** The file being walked: its source, its reader, where it sits in the include stack. */
interface Walk {
  path: string;
  stack: string[];
  source: SourceFile;
  reader: SourceReader;
}

type MetaAction = ReturnType<typeof metaAction>;

/**
 * Walks a file and its includes in file order, as psql reads them, collecting the planned
 * items, every file read, and the first transaction-control statement (see plan.ts).
 */
export class PlanWalker {
  readonly files: string[] = [];
  readonly items: Item[] = [];
  /** The first statement that controls transactions, as "COMMAND at file:line". */
  control: string | undefined;
  private readonly strict: boolean;
  private readonly initialEncoding: string;
  private readonly state: {
    encoding: string;
    scs: boolean;
    vars: Map<string, string>;
    /** Open \if blocks: whether the current branch runs, and whether one already ran. */
    conds: { active: boolean; taken: boolean }[];
  };

  constructor(private readonly options: PlanOptions) {
    this.strict = options.metas !== 'lenient';
    this.initialEncoding = options.encoding ?? 'UTF8';
    this.state = {
      encoding: this.initialEncoding,
      scs: options.standardConformingStrings ?? true,
      vars: new Map(Object.entries(options.variables ?? {})),
      conds: [],
    };
  }

  /** Walk the file at `path` (included from `from` when `stack` is not empty). */
  async visit(path: string, stack: string[], from?: At): Promise<SourceFile> {
    let bytes = await this.read(path, stack, from);
    if (stack.length === 0 && this.options.prepare !== undefined)
      bytes = this.options.prepare(bytes);
    this.files.push(path);
    this.options.onRead?.(path);
    const source: SourceFile = {
      path: display(this.options.root, path),
      absolutePath: path,
      text: '',
    };
    const walk: Walk = { path, stack, source, reader: new SourceReader(bytes, this.state.scs) };
    for (;;) {
      const segment = this.next(walk);
      if (segment === undefined) break;
      await this.segment(walk, segment);
    }
    source.text = walk.reader.text;
    if (stack.length === 0 && this.state.conds.length > 0) {
      throw new DbfastError(
        'sql.meta_unsupported',
        `${source.path}: the file ends inside an \\if block (no \\endif).`,
        { hint: 'Close every \\if with \\endif.' },
      );
    }
    return source;
  }

  /** The file's bytes; refuses an include cycle and says which include could not be read. */
  private async read(path: string, stack: string[], from: At | undefined): Promise<Buffer> {
    const root = this.options.root;
    if (stack.includes(path)) {
      const chain = [...stack, path].map((p) => display(root, p)).join(' -> ');
      throw located(
        from,
        'sql.include_cycle',
        `${metaText(from)} includes a file that is already being included (${chain}).`,
        'Remove the cycle.',
      );
    }
    try {
      return await readFile(path);
    } catch (cause) {
      throw located(
        from,
        'sql.include_missing',
        `Cannot read ${display(root, path)}${from === undefined ? '' : ` (included by ${metaText(from).split(' ')[0]})`}: ${(cause as NodeJS.ErrnoException).code ?? cause}.`,
        from === undefined
          ? undefined
          : '\\ir paths are relative to the including file; \\i paths to the repository root.',
      );
    }
  }

  private next(walk: Walk): Segment | undefined {
    try {
      return walk.reader.next(this.state.encoding);
    } catch (error) {
      if (!(error instanceof InvalidBytes)) throw error;
      throw invalidBytes(walk.source, error);
    }
  }

  /** A located error for `segment` (a MetaProblem gets the file:line of the command). */
  private fail(walk: Walk, segment: Segment, error: unknown): DbfastError {
    walk.source.text = walk.reader.text;
    if (!(error instanceof MetaProblem)) return error as DbfastError;
    return located(
      { source: walk.source, segment },
      'sql.meta_unsupported',
      error.message,
      error.hint,
    );
  }

  private async segment(walk: Walk, segment: Segment): Promise<void> {
    const active = this.state.conds.every((c) => c.active);
    if (segment.kind === 'trivia') return;
    // A batch is the file's text from its first statement to its last: one that a
    // backslash command or a skipped (\if'd out) statement would fall into ends before it.
    if (segment.kind === 'meta' || !active) {
      const last = this.items.at(-1);
      if (last !== undefined) last.endsBatch = true;
      if (!active && segment.kind !== 'meta') return;
    }
    if (segment.kind === 'copy') {
      this.items.push({ step: { kind: 'copy', source: walk.source, segment } });
    } else if (segment.kind === 'statement') {
      if (!segment.empty) this.statement(walk, segment);
    } else {
      await this.meta(walk, segment, active);
    }
  }

  private statement(walk: Walk, segment: StatementSegment): void {
    const { source } = walk;
    const c = classifyStatement(segment.text);
    if (c.kind === 'transaction-control')
      this.control ??= `${c.command} at ${source.path}:${segment.line}`;
    const ends = settingsChanged(segment, this.state, this.initialEncoding, (e) =>
      this.fail(walk, segment, e),
    );
    const filled = this.strict
      ? interpolate(segment.text, this.state.vars, this.state.scs)
      : { text: segment.text, first: -1 };
    this.items.push({
      step: {
        kind: 'batch',
        source,
        start: segment.start,
        end: segment.end,
        statements: [segment],
        ...(filled.first < 0 ? {} : { sent: { text: filled.text, exactUntil: filled.first } }),
        ...(ends.resetEncoding ? { resetEncoding: true } : {}),
      },
      ...(c.kind === 'no-transaction' ? { command: c.command } : {}),
      endsBatch: ends.endsBatch || filled.first >= 0,
    });
  }

  /** A backslash command: follow an include, or (strict) evaluate it as psql would. */
  private async meta(walk: Walk, segment: MetaSegment, active: boolean): Promise<void> {
    const { path, stack, source, reader } = walk;
    let action: MetaAction;
    try {
      action = metaAction(segment, { root: this.options.root, path, vars: this.state.vars });
    } catch (error) {
      if (this.strict && (active || ['if', 'elif', 'else', 'endif'].includes(segment.command)))
        throw this.fail(walk, segment, error);
      return;
    }
    if (action.kind === 'include') {
      if (!this.strict && [...stack, path].includes(action.target)) return;
      if (!active) return;
      const scs = this.state.scs;
      source.text = reader.text;
      await this.visit(action.target, [...stack, path], { source, segment });
      if (this.state.scs !== scs) reader.relex(this.state.scs);
      return;
    }
    if (!this.strict) return;
    try {
      conditional(action, this.state.conds);
    } catch (error) {
      throw this.fail(walk, segment, error);
    }
    if (active) await this.evaluate(walk, segment, action);
  }

  /** An active psql command that changes planning state or adds a step. */
  private async evaluate(walk: Walk, segment: MetaSegment, action: MetaAction): Promise<void> {
    if (action.kind === 'set') {
      if (action.value === undefined) this.state.vars.delete(action.name);
      else this.state.vars.set(action.name, action.value);
    } else if (action.kind === 'encoding') {
      this.state.encoding = action.encoding;
    } else if (action.kind === 'echo') {
      this.items.push({ step: { kind: 'echo', source: walk.source, text: action.text } });
    } else if (action.kind === 'copy') {
      await this.copyFile(walk, segment, action.file, action.statement);
    }
  }

  /** `\copy … from 'file'`: the file must be readable now; its bytes are read when it runs. */
  private async copyFile(
    walk: Walk,
    segment: MetaSegment,
    file: string,
    statement: string,
  ): Promise<void> {
    const root = this.options.root;
    const missing = await access(file).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e.code ?? String(e),
    );
    if (missing !== undefined) {
      walk.source.text = walk.reader.text;
      throw located(
        { source: walk.source, segment },
        'sql.copy_missing',
        `\\copy cannot read ${display(root, file)}: ${missing}.`,
        '\\copy paths are relative to the repository root.',
      );
    }
    this.files.push(file);
    this.options.onRead?.(file);
    this.items.push({
      step: {
        kind: 'copy-file',
        source: walk.source,
        meta: segment,
        statement,
        file,
        name: display(root, file),
        encoding: this.state.encoding,
      },
    });
  }
}
