import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../infra';

// tools/bootstrap.js is the one script that runs before node_modules and dist/ exist; a wrong command must
// end with the usage before it installs or builds anything.
const bootstrap = (...args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot(), 'tools', 'bootstrap.js'), ...args], { encoding: 'utf8', timeout: 10_000 });

describe('tools/bootstrap.js', () => {
  it('answers an unknown command with the usage and exit code 2, without building', () => {
    const r = bootstrap('frobnicate', '--exit');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toMatch(/usage: node tools\/bootstrap\.js <command> \[args\]\n {2}start .*\n {2}test .*\n {2}stop .*\n {2}infra /);
    expect(r.stdout).not.toContain('built dist/');
  });

  it('answers no command with the usage alone', () => {
    const r = bootstrap();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node tools\/bootstrap\.js/);
  });

  it('does not take an inherited property name for a command', () => {
    expect(bootstrap('constructor').status).toBe(2);
  });
});
