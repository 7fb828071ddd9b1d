import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@smartscale/testing';
import { packagesImportedBy, runtimeImports } from '../../test/support/deploy/runtime-imports';

// The production image installs `dependencies` only (`npm ci --omit=dev`, deploy/docker/Dockerfile), so
// that list must be exactly what the compiled apps load: a runtime import of a dev-only package would
// crash the container at start, and a tool's package in `dependencies` would ship for nothing.
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const runtime = runtimeImports();
/**
 * Packages no source file names but a runtime package loads by name; each was found missing by booting the
 * apps from an image-like install (`npm ci --omit=dev`).
 */
const LOADED_BY_OTHERS: Record<string, string> = {
  '@fastify/static': '@nestjs/platform-fastify requires it when SwaggerModule.setup serves the API docs (libs/ops/src/http-app.ts)',
};
const used = (pkg: string): boolean => runtime.has(pkg) || pkg in LOADED_BY_OTHERS;

describe('package.json dependencies', () => {
  it('declares every package the apps, libraries and worker load at run time as a runtime dependency', () => {
    const missing = [...runtime.entries()].filter(([pkg]) => !(pkg in manifest.dependencies)).map(([pkg, files]) => `${pkg} (${files[0]})`);
    expect(missing).toEqual([]);
  });

  it('lists nothing as a runtime dependency that no runtime file loads', () => {
    expect(Object.keys(manifest.dependencies).filter((pkg) => !used(pkg))).toEqual([]);
  });

  it('declares what runtime packages load by name as runtime dependencies', () => {
    expect(Object.keys(LOADED_BY_OTHERS).filter((pkg) => !(pkg in manifest.dependencies))).toEqual([]);
  });

  it('keeps each package in one list', () => {
    expect(Object.keys(manifest.devDependencies).filter((pkg) => pkg in manifest.dependencies)).toEqual([]);
  });
});

describe('packagesImportedBy', () => {
  it('finds static, dynamic, side-effect and require imports and reduces them to package names', () => {
    const source = [
      "import { Module } from '@nestjs/common';",
      "import 'reflect-metadata';",
      "const m = await import('fft.js');",
      "const p = require.resolve('uplot/dist/uPlot.iife.min.js');",
      "const k = require('kafkajs');",
      "export { z } from 'zod';",
    ].join('\n');
    expect(packagesImportedBy(source)).toEqual(['@nestjs/common', 'fft.js', 'kafkajs', 'reflect-metadata', 'uplot', 'zod']);
  });

  it('ignores type-only imports, relative paths, Node built-ins and the project libraries', () => {
    const source = [
      "import type { FastifyRequest } from 'fastify';",
      "import { readFileSync } from 'node:fs';",
      "import { decide } from '@smartscale/policy';",
      "import { helper } from './helper';",
    ].join('\n');
    expect(packagesImportedBy(source)).toEqual([]);
  });
});

describe('deploy/docker', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'deploy/docker/Dockerfile'), 'utf8');
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('installs only the runtime dependencies in the image it ships', () => {
    expect(runtimeStage).toMatch(/npm ci --omit=dev/);
    expect(runtimeStage).not.toMatch(/COPY \. /);
    expect(runtimeStage).not.toMatch(/node_modules/);
  });

  it('keeps what the host installed, built or ran out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', '.smartscale']));
  });
});
