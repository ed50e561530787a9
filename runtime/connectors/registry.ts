// Every connector, by the name used in WITH ('connector' = ...). Adding a connector is a folder plus one line here.
// Only the light definitions are imported here; a bundle carries the implementations of the connectors its job
// uses (compiler/bundle/bundle-job.ts).
import type { Connector } from '../core/connector.js';
import { blackhole } from './blackhole/connector.js';
import { collect } from './collect/connector.js';
import { datagen } from './datagen/connector.js';
import { elasticsearch7 } from './elasticsearch/connector.js';
import { filesystem } from './filesystem/connector.js';
import { jdbc } from './jdbc/connector.js';
import { kafka } from './kafka/connector.js';
import { print } from './print/connector.js';
import { upsertKafka } from './upsert-kafka/connector.js';

const all: Connector[] = [
  datagen,
  print,
  blackhole,
  filesystem,
  collect,
  kafka,
  upsertKafka,
  jdbc,
  elasticsearch7,
];

const registered = new Map(all.map((c) => [c.name, c]));
export const connectors: ReadonlyMap<string, Connector> = registered;

/**
 * Adds a connector at run time (embedding applications, tests). Jobs run by this process's runtime see it: the
 * CLI's and a taskmanager's, also for a bundle they load (they take only its plan, stages and UDFs). A bundle
 * run as `node x.mjs` has its own copy of this registry: every definition, the implementations compiled into it.
 */
export function registerConnector(c: Connector): void {
  registered.set(c.name, c);
}

export function findConnector(name: string): Connector | undefined {
  return connectors.get(name);
}
