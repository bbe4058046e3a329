import { createInterface } from 'node:readline/promises';
import { usageError } from '../errors.js';

export interface ConfirmOptions {
  /** `--yes` was given. */
  yes: boolean;
  /** What is about to happen, as a question: "Drop 3 databases?". */
  question: string;
  /**
   * When set, the person must type this exact text (a production remote's name), even with
   * --yes; without a terminal this cannot be done, so the action is refused.
   */
  typed?: string;
  /** `--confirm NAME`: lets a script without a terminal stand in for typing `typed`. */
  confirm?: string;
}

/**
 * The gate in front of every destructive action: `--yes` for scripts, an interactive
 * confirmation for people, and a refusal with exit code 2 when neither is possible.
 */
export async function confirmDestructive(options: ConfirmOptions): Promise<void> {
  const tty = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (options.typed === undefined && options.yes) return;
  if (options.typed !== undefined && options.yes && options.confirm === options.typed) return;
  if (!tty) {
    throw usageError(
      'refused',
      `Refused: ${options.question.replace(/\?$/, '')} needs confirmation, and there is no terminal to ask on.`,
      options.typed === undefined
        ? 'Pass --yes to confirm.'
        : `Run it in a terminal with --yes and type "${options.typed}" when asked, or pass --yes --confirm ${options.typed}.`,
    );
  }
  const prompt =
    options.typed === undefined
      ? `${options.question} [y/N] `
      : `${options.question}\nType "${options.typed}" to confirm: `;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(prompt)).trim();
    const ok =
      options.typed === undefined
        ? /^y(es)?$/i.test(answer)
        : answer === options.typed && options.yes;
    if (!ok) {
      throw usageError(
        'refused',
        'Refused: not confirmed.',
        options.typed !== undefined && !options.yes
          ? 'This action needs --yes as well as the typed name.'
          : undefined,
      );
    }
  } finally {
    rl.close();
  }
}

/** What restore and deploy know about their target when they ask for confirmation. */
export interface TargetConfirmation {
  remote: string | undefined;
  protectedRemote: boolean;
  allowReplace: boolean;
  replacing: boolean;
  /** --yes, --confirm NAME */
  yes: boolean;
  confirm: string | undefined;
  /** Asked on a protected remote (its name must be typed). */
  protectedQuestion: string;
  /** Asked before replacing an existing database elsewhere. */
  replaceQuestion: string;
}

/**
 * The confirmations restore and deploy ask for, as the library expects them: a protected
 * remote needs --yes and its name typed (or --confirm NAME), replacing a database needs
 * --yes or a "y". A replace that allow_destructive forbids is not asked about: the library
 * refuses it anyway, with the reason.
 */
export async function confirmTarget(
  target: TargetConfirmation,
): Promise<{ replace: boolean; typedRemote: string | undefined }> {
  const refusedAnyway = target.replacing && !target.allowReplace;
  if (refusedAnyway) return { replace: false, typedRemote: undefined };
  // Only a remote is ever protected: its name is what must be typed.
  const protectedName = target.protectedRemote ? target.remote : undefined;
  if (protectedName !== undefined) {
    await confirmDestructive({
      yes: target.yes,
      typed: protectedName,
      ...(target.confirm === undefined ? {} : { confirm: target.confirm }),
      question: target.protectedQuestion,
    });
    return { replace: true, typedRemote: protectedName };
  }
  if (target.replacing) {
    await confirmDestructive({ yes: target.yes, question: target.replaceQuestion });
    return { replace: true, typedRemote: undefined };
  }
  return { replace: false, typedRemote: undefined };
}
