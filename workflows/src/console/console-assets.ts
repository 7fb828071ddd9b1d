import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** The page's own files; `--copy-files` puts them beside the compiled code in dist. */
const PUBLIC_DIR = join(__dirname, 'public');

/** uPlot's browser build, served from node_modules: the page loads nothing from elsewhere. */
const VENDOR: Record<string, string> = {
  'uPlot.iife.min.js': require.resolve('uplot/dist/uPlot.iife.min.js'),
  'uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * Files by bare name only (no slash, no empty segment between dots), so that no request path can reach
 * outside the two places above. Read on every request (a few small files): a rebuilt page shows on reload.
 */
export class ConsoleAssets {
  constructor(private readonly publicDir = PUBLIC_DIR) {}

  async get(name: string): Promise<Asset | null> {
    const type = TYPES[extname(name)];
    if (!type || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(html|css|js|svg)(\.map)?$/.test(name)) return null;
    try {
      return { body: await readFile(VENDOR[name] ?? join(this.publicDir, name)), type };
    } catch {
      return null;
    }
  }
}
