// Validates REST answers against Flink's own response schemas (fixtures/flink-rest-v1.yml, taken from
// Flink's OpenAPI document). Every property a schema lists is required unless it is in x-optional: a
// shape that lacks a field Flink's clients read fails, as does a field of the wrong type or enum value.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

interface Spec {
  paths: Record<string, string>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const spec = parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/flink-rest-v1.yml'), 'utf8')) as Spec;

/** Adds `required` = all properties (less x-optional) to every object schema, recursively. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = strict(v);
  const props = out.properties as Record<string, unknown> | undefined;
  if (props) {
    const optional = new Set((out['x-optional'] as string[] | undefined) ?? []);
    out.required = [...new Set([...((out.required as string[]) ?? []), ...Object.keys(props).filter((p) => !optional.has(p))])];
  }
  return out;
}

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: 'flink', components: strict(spec.components) });
const validators = new Map<string, ValidateFunction>();

/** The schema name Flink gives the answer of `route` (a path pattern from the fixture, e.g. /jobs/{jobid}). */
export function schemaOf(route: string): string {
  const name = spec.paths[route];
  if (!name) throw new Error(`no Flink schema for ${route} in the fixture`);
  return name;
}

/** Errors of `body` against the Flink schema of `route` (empty when it fits). */
export function flinkShapeErrors(route: string, body: unknown): string[] {
  const name = schemaOf(route);
  let v = validators.get(name);
  if (!v) validators.set(name, (v = ajv.compile({ $ref: `flink#/components/schemas/${name}` })));
  if (v(body)) return [];
  return (v.errors ?? []).map((e) => `${route} (${name}) ${e.instancePath || '/'}: ${e.message}${e.params && 'missingProperty' in e.params ? ` '${e.params.missingProperty}'` : ''}`);
}

export const routesInSpec = () => Object.keys(spec.paths);
