import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBuilt, Go, GoBuild, goEnv, isGoBuilt } from './go-build';

describe(ensureGoBuilt.name, () => {
  let dir: string;
  let version: string;
  let builds: number;
  let goCalls: string[][];
  const fakeGo: Go = (args) => {
    goCalls.push(args);
    return '';
  };
  const binary = () => join(dir, 'bin', 'tool');
  const spec = (): GoBuild => ({
    name: 'test-tool',
    dir,
    stampFile: 'build.version',
    stamp: () => `tool ${version}`,
    verify: () => existsSync(binary()),
    announce: 'building the test tool',
    goHint: 'needs Go',
    scratch: [join(dir, 'src')],
    build: (go) => {
      builds += 1;
      mkdirSync(join(dir, 'src'), { recursive: true });
      mkdirSync(join(dir, 'go'), { recursive: true }); // what go would leave behind: its caches
      go(['build', '-o', binary(), '.']);
      writeFileSync(binary(), '#!/bin/sh\n');
      chmodSync(binary(), 0o755);
    },
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'smartscale-gobuild-'));
    version = 'v1.0.0';
    builds = 0;
    goCalls = [];
    jest.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('builds once: a second call finds the stamp and the binary and does nothing', () => {
    expect(isGoBuilt(spec())).toBe(false);
    expect(ensureGoBuilt(spec(), fakeGo)).toBe(true);
    expect(readFileSync(join(dir, 'build.version'), 'utf8')).toBe('tool v1.0.0\n');
    expect(isGoBuilt(spec())).toBe(true);
    expect(ensureGoBuilt(spec(), fakeGo)).toBe(false);
    expect(builds).toBe(1);
    expect(goCalls).toEqual([['build', '-o', binary(), '.']]);
  });

  it('deletes the Go caches and the scratch directories after a build: the stamp prevents a rebuild, not the cache', () => {
    ensureGoBuilt(spec(), fakeGo);
    expect(existsSync(join(dir, 'go'))).toBe(false);
    expect(existsSync(join(dir, 'src'))).toBe(false);
  });

  it('rebuilds when the pinned version changes', () => {
    ensureGoBuilt(spec(), fakeGo);
    version = 'v1.1.0';
    expect(isGoBuilt(spec())).toBe(false);
    expect(ensureGoBuilt(spec(), fakeGo)).toBe(true);
    expect(builds).toBe(2);
    expect(readFileSync(join(dir, 'build.version'), 'utf8')).toBe('tool v1.1.0\n');
  });

  it('rebuilds when the binary no longer answers, even with the right stamp', () => {
    ensureGoBuilt(spec(), fakeGo);
    rmSync(binary());
    expect(ensureGoBuilt(spec(), fakeGo)).toBe(true);
    expect(builds).toBe(2);
  });

  it('writes no stamp when the build fails, so the next call tries again', () => {
    const failing = {
      ...spec(),
      build: () => {
        throw new Error('go build failed');
      },
    };
    expect(() => ensureGoBuilt(failing, fakeGo)).toThrow('go build failed');
    expect(existsSync(join(dir, 'build.version'))).toBe(false);
  });

  it('keeps Go inside the build directory, with a writable module cache and no toolchain download', () => {
    const env = goEnv({ dir, goFlags: ['-p=2'], env: { GOBIN: join(dir, 'bin') } }, { GOFLAGS: '-mod=mod', PATH: '/usr/bin' });
    expect(env).toMatchObject({
      GOPATH: join(dir, 'go'),
      GOCACHE: join(dir, 'go-cache'),
      GOBIN: join(dir, 'bin'),
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      PATH: '/usr/bin',
    });
    expect(env.GOFLAGS).toBe('-mod=mod -p=2 -modcacherw');
  });
});
