import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentConfig } from '../config/types.js';

/**
 * How many ready members a template's pool aims for, sized to demand within `[pool] min` and
 * `max`: it starts at `size`, grows by one for every claim that found the pool empty (and
 * fell back to CREATE DATABASE), and shrinks by one toward `min` for every minute without
 * such a claim. The state is a few bytes in a file beside the refill lock of this machine
 * (one filler per template per machine fills the pool), written by claims that miss and
 * read by fillers; a lost or unreadable file only means starting again from `size`.
 */

/** One step back toward `min` per this long without a claim that found the pool empty. */
export const POOL_SHRINK_STEP_MS = 60_000;

interface TargetState {
  /** The target when the last claim missed (before the step back toward min). */
  target: number;
  /** Epoch ms of that miss. */
  missedAt: number;
}

type Bounds = Pick<EnvironmentConfig, 'poolSize' | 'poolMin' | 'poolMax'>;

/** The file of one template's pool on one server (a hash: names may hold anything). */
export function poolFileKey(serverUrl: string, template: string): string {
  const server = new URL(serverUrl);
  return createHash('sha256')
    .update(`${server.hostname}:${server.port}\0${template}`)
    .digest('hex')
    .slice(0, 16);
}

/** Where a template's pool target lives on this machine. */
export function poolStatePath(serverUrl: string, template: string): string {
  return join(tmpdir(), `dbfast-pool-${poolFileKey(serverUrl, template)}.json`);
}

/** The pool's target now: `size` with no history, else the last one stepped back toward min. */
export async function poolTarget(
  serverUrl: string,
  template: string,
  bounds: Bounds,
  now: number = Date.now(),
): Promise<number> {
  const state = await readState(poolStatePath(serverUrl, template));
  if (state === undefined) return clamp(bounds.poolSize, bounds);
  const steps = Math.floor(Math.max(0, now - state.missedAt) / POOL_SHRINK_STEP_MS);
  return clamp(state.target - steps, bounds);
}

/**
 * A claim found the pool empty: raise the target by one, never above max. Concurrent misses
 * may overwrite each other's step (the file is replaced whole, never torn): the target then
 * grows a little slower, and the next miss raises it again.
 */
export async function recordPoolMiss(
  serverUrl: string,
  template: string,
  bounds: Bounds,
): Promise<number> {
  const now = Date.now();
  const target = clamp((await poolTarget(serverUrl, template, bounds, now)) + 1, bounds);
  const path = poolStatePath(serverUrl, template);
  const temporary = `${path}.${process.pid}.tmp`;
  const state: TargetState = { target, missedAt: now };
  try {
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, path);
  } catch {
    // Only a hint for sizing: a read-only or full tmpdir leaves the pool at its size.
  }
  return target;
}

function clamp(value: number, bounds: Bounds): number {
  return Math.min(bounds.poolMax, Math.max(bounds.poolMin, value));
}

async function readState(path: string): Promise<TargetState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<TargetState>;
    if (typeof parsed.target === 'number' && typeof parsed.missedAt === 'number')
      return { target: parsed.target, missedAt: parsed.missedAt };
  } catch {
    // Missing or unreadable: no history.
  }
  return undefined;
}
