// Uploaded bundles (Flink's "jars"): kept in `<cluster dir>/jars/<uuid>_<name>.mjs`, each inspected once
// on upload. As Flink's web upload directory, it starts empty with each jobmanager. A submitted job
// gets its own copy of the bundle, so deleting a jar never breaks a running or restarting job.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { JobPlan } from '../core/plan.js';
import { inspectBundle } from './bundle-inspect.js';
import { badRequest, notFound } from './errors.js';
import { JAR_ID, newJarId } from './ids.js';

export interface Jar {
  id: string;
  name: string;
  path: string;
  uploaded: number;
  plan: JobPlan;
}

export class JarStore {
  private readonly jars = new Map<string, Jar>();

  constructor(readonly dir: string) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const f of await readdir(this.dir)) await rm(path.join(this.dir, f), { recursive: true, force: true });
  }

  /** Stores an upload (a buffer, or a stream written to disk as it arrives), then checks it is a bundle. */
  async upload(fileName: string, data: Buffer | Readable): Promise<Jar> {
    const name = path.basename(fileName);
    const id = newJarId(name.endsWith('.mjs') ? name : `${name}.mjs`);
    const file = path.join(this.dir, id);
    try {
      if (Buffer.isBuffer(data)) await writeFile(file, data);
      else await pipeline(data, createWriteStream(file));
    } catch (e) {
      await rm(file, { force: true });
      throw e;
    }
    const inspected = await inspectBundle(file);
    if ('error' in inspected) {
      await rm(file, { force: true });
      throw badRequest(`'${name}' is not a sluice bundle: ${inspected.error}. Build one with \`sluice compile <job.ts> -o build/<job>.mjs\`.`);
    }
    const jar: Jar = { id, name, path: file, uploaded: Date.now(), plan: inspected.plan };
    this.jars.set(id, jar);
    return jar;
  }

  get(id: string): Jar {
    if (!JAR_ID.test(id)) throw badRequest(`'${id}' is not a jar id (as returned by POST /jars/upload: <uuid>_<file name>)`);
    const jar = this.jars.get(id);
    if (!jar) throw notFound(`Jar file ${id} not found`);
    return jar;
  }

  list(): Jar[] {
    return [...this.jars.values()].sort((a, b) => b.uploaded - a.uploaded);
  }

  async delete(id: string): Promise<void> {
    const jar = this.get(id);
    this.jars.delete(id);
    await rm(jar.path, { force: true });
  }
}
