import { expect } from 'vitest';
import { FlashbackError } from '../../main/errors.js';

/** The typed error a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function errorOf(p: Promise<unknown>): Promise<FlashbackError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(FlashbackError);
  return e as FlashbackError;
}
