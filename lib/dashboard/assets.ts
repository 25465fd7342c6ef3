// The page's files, read once at start into memory: the HTML and CSS from
// web/dashboard, the browser modules tsc emitted into dist/web. Only these
// names are ever served, so no request path reaches the filesystem.

import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** The repository (or installed package) root: the nearest directory above with a package.json. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the swarm package above ${from}`);
  }
}

/** URL path → file, e.g. `/` → index.html, `/js/main.js`. Throws when the page was not built. */
export function loadAssets(root = packageRoot(__dirname)): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const add = (url: string, file: string) => {
    const ext = file.slice(file.lastIndexOf('.'));
    out.set(url, { type: TYPES[ext] ?? 'application/octet-stream', body: readFileSync(file) });
  };
  const web = join(root, 'web', 'dashboard');
  add('/', join(web, 'index.html'));
  add('/dashboard.css', join(web, 'dashboard.css'));
  const js = join(root, 'dist', 'web');
  const modules = existsSync(js) ? readdirSync(js).filter((f) => f.endsWith('.js')) : [];
  if (!modules.includes('main.js')) throw new Error(`the dashboard's page is not built (${join(js, 'main.js')} is missing): run npm run build`);
  for (const f of modules) add(`/js/${f}`, join(js, f));
  return out;
}

/** Bytes the page costs a browser on first load: every asset, uncompressed. */
export function pageWeight(assets: ReadonlyMap<string, Asset>): number {
  let n = 0;
  for (const a of assets.values()) n += a.body.length;
  return n;
}
