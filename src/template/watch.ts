import { basename } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { presetWatchPaths } from '../presets/scan.js';
import type { Project } from '../project.js';
import { globBase } from '../sql/glob.js';
import { abandonOwnBuilds } from './build.js';
import { ensureTemplate, type TemplateResult } from './ensure.js';

/** What `watchTemplate` reports through `onEvent`; an `error` never stops the watcher. */
export type WatchEvent =
  | { type: 'ready'; paths: string[] }
  | { type: 'change'; paths: string[] }
  | { type: 'building' }
  | { type: 'built'; result: TemplateResult; ms: number }
  | { type: 'current'; result: TemplateResult }
  | { type: 'error'; error: unknown };

/** Which environment `watchTemplate` keeps current, and where its events go. */
export interface WatchOptions {
  env?: string;
  /** Quiet time after the last change before rebuilding (editors write in bursts). */
  debounceMs?: number;
  onEvent: (event: WatchEvent) => void;
}

/** A running watcher (see `watchTemplate`): wait for it, trigger it, close it. */
export interface TemplateWatcher {
  /** Resolves once the first check ran and the file watcher is ready. */
  ready: Promise<void>;
  /** Run one check/rebuild now (queued behind a running one). */
  runOnce(): Promise<void>;
  /** Stop watching; a build in progress is abandoned and its scratch database dropped. */
  close(): Promise<void>;
}

/**
 * A running/run-again queue around `run`: a call while it runs schedules exactly one more
 * run after it, however many calls come in meanwhile. Resolves when the queue is idle.
 */
export function rebuildQueue(run: () => Promise<void>): {
  trigger: () => Promise<void>;
  idle: () => Promise<void>;
} {
  let running: Promise<void> | undefined;
  let again = false;
  const idle = (): Promise<void> => running ?? Promise.resolve();
  const trigger = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  return { trigger, idle };
}

/** Editor droppings that must not trigger a rebuild. */
const IGNORED = [
  /(^|[/\\])\.[^/\\]+$/, // dotfiles: .#lock (emacs), .DS_Store, .file.swp
  /~$/, // backup files (vim, emacs)
  /\.sw[a-p]$/, // vim swap files
  /(^|[/\\])4913$/, // vim's write test file
  /(^|[/\\])#[^/\\]*#$/, // emacs auto-save
  /\.(tmp|bak|orig)$/,
];

/**
 * Watch the repository (and the extra inputs) and keep the environment's template current:
 * each change rebuilds into a NEW template while the old one stays usable; an SQL error is
 * reported and watching goes on, and the next save retries.
 */
export function watchTemplate(project: Project, options: WatchOptions): TemplateWatcher {
  const { onEvent } = options;
  let closed = false;
  const check = async (): Promise<void> => {
    const started = performance.now();
    try {
      const result = await ensureTemplate(
        project,
        options.env === undefined ? {} : { env: options.env },
      );
      onEvent(
        result.built
          ? { type: 'built', result, ms: performance.now() - started }
          : { type: 'current', result },
      );
    } catch (error) {
      // Stopping abandons the build in progress (its session is terminated): that is not
      // an error to report.
      if (!closed) onEvent({ type: 'error', error });
    }
  };
  const queue = rebuildQueue(check);
  const runOnce = queue.trigger;
  const paths = [
    project.config.repository.path,
    ...presetWatchPaths(project.config),
    ...project.config.repository.extraInputs
      .filter((glob) => !glob.startsWith('!'))
      .map((glob) => globBase(glob)),
  ];
  let timer: NodeJS.Timeout | undefined;
  let pending = new Set<string>();
  const watcher: FSWatcher = watch(paths, {
    // The first check runs explicitly below; initial "add" events would only repeat it.
    ignoreInitial: true,
    // The repository scan does not follow symlinks, so watching through them would rebuild for nothing.
    followSymlinks: false,
    // Editors save by writing a temp file and renaming it: report that as one change.
    atomic: true,
    ignored: (path: string) =>
      IGNORED.some((pattern) => pattern.test(basename(path)) || pattern.test(path)),
  });
  watcher.on('all', (_event, path) => {
    if (closed) return;
    pending.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...pending];
      pending = new Set();
      onEvent({ type: 'change', paths: changed });
      onEvent({ type: 'building' });
      void runOnce();
    }, options.debounceMs ?? 150);
  });
  watcher.on('error', (error) => onEvent({ type: 'error', error }));
  const watching = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  const ready = (async () => {
    await runOnce();
    await watching;
    onEvent({ type: 'ready', paths });
  })();
  return {
    ready,
    runOnce,
    async close() {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      // A build in progress: drop its scratch database (its session is terminated with it).
      await abandonOwnBuilds(project).catch(() => undefined);
      await queue.idle().catch(() => undefined);
      await abandonOwnBuilds(project).catch(() => undefined);
    },
  };
}
