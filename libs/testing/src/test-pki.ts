import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One certificate the CA signs: `<name>.key` and `<name>.crt` in the directory. */
export interface TestLeaf {
  name: string;
  /** openssl's -subj, e.g. `/O=system:masters/CN=admin` */
  subject: string;
  /** the extension file's text: subjectAltName, extendedKeyUsage */
  extensions: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
}

/**
 * A throw-away CA (`ca.key`, `ca.crt`) and leaf certificates it signs, written into `dir` with the
 * system's openssl, for servers and clients that tests start on loopback. EC P-256 keeps it fast.
 */
export function writeTestPki(dir: string, options: { caSubject: string; days: number; leaves: TestLeaf[] }): void {
  const days = ['-days', String(options.days)];
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  key('ca');
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', options.caSubject, ...days, '-out', 'ca.crt'], dir);
  for (const leaf of options.leaves) {
    key(leaf.name);
    writeFileSync(join(dir, `${leaf.name}.ext`), leaf.extensions);
    openssl(['req', '-new', '-key', `${leaf.name}.key`, '-subj', leaf.subject, '-out', `${leaf.name}.csr`], dir);
    const sign = ['x509', '-req', '-in', `${leaf.name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', ...days];
    openssl([...sign, '-extfile', `${leaf.name}.ext`, '-out', `${leaf.name}.crt`], dir);
  }
}
