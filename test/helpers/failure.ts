import { expect } from 'vitest';
import { DbfastError } from '../../src/errors.js';

/** The DbfastError a promise rejects with (the test fails when it resolves or throws another). */
export async function failure(promise: Promise<unknown>): Promise<DbfastError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DbfastError);
  return error as DbfastError;
}
