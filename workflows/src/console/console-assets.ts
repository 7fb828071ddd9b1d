import { readFileSync } from 'node:fs';
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
 * outside the two places above. Read once and kept: they are small and never change while running.
 */
export class ConsoleAssets {
  private readonly cache = new Map<string, Asset | null>();

  constructor(private readonly publicDir = PUBLIC_DIR) {}

  get(name: string): Asset | null {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(html|css|js|svg)(\.map)?$/.test(name)) return null;
    if (!this.cache.has(name)) this.cache.set(name, this.read(name));
    return this.cache.get(name) ?? null;
  }

  private read(name: string): Asset | null {
    const type = TYPES[extname(name)];
    if (!type) return null;
    try {
      return { body: readFileSync(VENDOR[name] ?? join(this.publicDir, name)), type };
    } catch {
      return null;
    }
  }
}
