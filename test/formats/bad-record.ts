// Runs a decoder call that must fail with a BadRecordError and returns the error for its reason and origin.
import { expect } from 'vitest';
import { BadRecordError } from '../../runtime/core/errors.js';

export function badRecord(fn: () => unknown): BadRecordError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadRecordError);
    return e as BadRecordError;
  }
  throw new Error('expected a BadRecordError');
}
