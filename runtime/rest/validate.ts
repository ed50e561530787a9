// Request validation with zod: a body, path parameter or query that does not fit is the caller's mistake,
// answered 400 with what was wrong and where.
import type { z } from 'zod';
import { badRequest } from '../cluster/errors.js';

export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? ` field '${issue.path.join('.')}'` : '';
  throw badRequest(`Request did not match expected format: ${what}${where}: ${issue.message}`);
}
