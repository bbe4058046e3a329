import type { PresetName } from '../config/repository-types.js';
import type { BookkeepingStatement } from '../sql/bookkeeping.js';
import type { RepositoryFile } from '../sql/scan.js';

/**
 * What a preset hands the executor: the files its tool would run, in the tool's order, with
 * the part of each file that is the "up" migration, and the rows the tool writes into its
 * bookkeeping table once they have run.
 */

/** One migration to run: a repository file and how much of it, in which mode. */
export interface MigrationUnit extends RepositoryFile {
  /**
   * Character ranges `[start, end)` of the file that run (the up-section). Everything else
   * is blanked before lexing, keeping every offset, so errors still point at file:line:col.
   * Undefined: the whole file.
   */
  keep?: Array<[number, number]>;
  /** A marker the tool splits statements at (Drizzle's `--> statement-breakpoint`). */
  breakpoint?: string;
  /** Why the tool runs this migration outside a transaction, when it does. */
  noTransaction?: string;
  /** Why the preset selected this file (for `validate-env`). */
  why?: string;
  /** The encoding the file is read in, whatever `[repository] encoding` says (UTF8 for presets). */
  encoding?: string;
}

/** A file the preset looked at and left out, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** What a preset found in a migrations folder. */
export interface PresetScan {
  units: MigrationUnit[];
  /** Runs after the units, in one transaction, in a clean session (as the tool connects). */
  bookkeeping: BookkeepingStatement[];
  /** Other files the preset read (an order file, a journal): absolute paths, fingerprinted. */
  inputs: string[];
  skipped: SkippedFile[];
}

/** One migration tool's layout. */
export interface Preset {
  /** The `[repository] type` value. */
  name: PresetName;
  /** The tool, for messages and the README. */
  tool: string;
  /** The migrations folder when `[repository] path` is not set, relative to dbfast.toml. */
  defaultPath: string;
  /** Read the migrations folder `root`. Throws a DbfastError for what the tool would refuse. */
  scan(root: string): Promise<PresetScan>;
}
