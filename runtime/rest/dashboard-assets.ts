// The dashboard's files: web/index.html as is, and web/src bundled by esbuild into one script and one
// stylesheet. Built on the first request for them and kept in memory for the life of the jobmanager, so a
// fresh clone serves the pages after `npm ci` with no build step, and nothing is written to disk.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = path.resolve(fileURLToPath(new URL('../../web', import.meta.url)));

export interface Asset {
  type: string;
  body: Buffer;
}

let built: Promise<Map<string, Asset>> | null = null;

/** index.html, app.js and app.css; a failed build is not cached, so the next request tries again. */
export function dashboardAssets(): Promise<Map<string, Asset>> {
  built ??= build().catch((e: unknown) => {
    built = null;
    throw e;
  });
  return built;
}

async function build(): Promise<Map<string, Asset>> {
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    entryPoints: { app: path.join(WEB_DIR, 'src/main.ts') },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    outdir: '/',
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  assets.set('index.html', { type: 'text/html; charset=utf-8', body: await readFile(path.join(WEB_DIR, 'index.html')) });
  for (const f of result.outputFiles) {
    const name = path.basename(f.path);
    assets.set(name, { type: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', body: Buffer.from(f.contents) });
  }
  return assets;
}
