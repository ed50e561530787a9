// Identifiers as Flink spells them: job ids and trigger ids are 32 lowercase hex digits; an uploaded
// bundle's id is `<uuid>_<file name>` (Flink's jar ids).
import { randomBytes, randomUUID } from 'node:crypto';

export const HEX32 = /^[0-9a-f]{32}$/;

export const newJobId = (): string => randomBytes(16).toString('hex');
export const newTriggerId = (): string => randomBytes(16).toString('hex');

export function newJarId(fileName: string): string {
  const safe = fileName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'bundle.mjs';
  return `${randomUUID()}_${safe}`;
}

/** A jar id names a file in the jars directory: no path separators, nothing hidden. */
export const JAR_ID = /^[0-9a-f-]{36}_[A-Za-z0-9._-]+$/;
