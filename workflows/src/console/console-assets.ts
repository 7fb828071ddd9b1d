import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** The page's HTML and CSS; `--copy-files` puts them beside the compiled code in dist. */
const PUBLIC_DIR = join(__dirname, 'public');

/**
 * The browser script is the build's output: `npm run build` compiles public/console.ts with the project's
 * swc configuration to console.js beside the page in dist. Run from source (Jest starts the worker from the
 * .ts files), the source tree has no JavaScript to serve, so the script is read from dist there too; specs
 * that serve the page build it first (test/support/console-script.ts), and `npm start` builds before it runs.
 * Compiling here instead would make swc, a build tool, a runtime dependency of the worker.
 */
const SCRIPT_DIR = __filename.endsWith('.ts')
  ? join(__dirname, '..', '..', '..', 'dist', 'workflows', 'src', 'console', 'public')
  : PUBLIC_DIR;

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
 * outside the places above. Read on every request (a few small files): a rebuilt page shows on reload.
 */
export class ConsoleAssets {
  constructor(
    private readonly publicDir = PUBLIC_DIR,
    /** Scripts and their source maps: the build's output. */
    private readonly scriptDir = publicDir === PUBLIC_DIR ? SCRIPT_DIR : publicDir,
  ) {}

  async get(name: string): Promise<Asset | null> {
    const type = TYPES[extname(name)];
    if (!type || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(html|css|js|svg)(\.map)?$/.test(name)) return null;
    const dir = /\.js(\.map)?$/.test(name) ? this.scriptDir : this.publicDir;
    try {
      return { body: await readFile(VENDOR[name] ?? join(dir, name)), type };
    } catch {
      return null;
    }
  }
}
