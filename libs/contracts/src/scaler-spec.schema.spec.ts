import { z } from 'zod';
import { parseTarget, targetProblems } from './policy.schema';

const target = (scaler: unknown) => ({ id: 'shop-web', service: 'web', scaler });
const issues = (scaler: unknown): string[] => {
  try {
    parseTarget(target(scaler));
    return [];
  } catch (err) {
    return (err as z.ZodError).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  }
};

/** The kubernetes scaler spec, validated with the API server's own name rules so that typos fail at boot. */
describe('ScalerSpec kubernetes', () => {
  it('accepts a Deployment or a StatefulSet in a namespace', () => {
    const spec = { kind: 'kubernetes', namespace: 'shop', resource: 'statefulset', name: 'db.v2-primary' };
    expect(parseTarget(target(spec)).scaler).toEqual(spec);
    expect(issues({ ...spec, resource: 'deployment', name: 'web' })).toEqual([]);
  });

  it('names the field and the rule for a bad namespace, resource or name', () => {
    expect(issues({ kind: 'kubernetes', namespace: 'Shop', resource: 'deployment', name: 'web' })).toEqual([
      expect.stringMatching(/^scaler\.namespace: namespace: a DNS-1123 label/),
    ]);
    expect(issues({ kind: 'kubernetes', namespace: 'shop', resource: 'replicaset', name: 'web' })).toEqual([
      'scaler.resource: resource: "deployment" or "statefulset"',
    ]);
    expect(issues({ kind: 'kubernetes', namespace: 'shop', resource: 'deployment', name: 'web-' })).toEqual([
      expect.stringMatching(/^scaler\.name: name: a DNS-1123 subdomain/),
    ]);
    expect(issues({ kind: 'kubernetes', namespace: 'a'.repeat(64), resource: 'deployment', name: 'web' })).toEqual([
      'scaler.namespace: namespace: at most 63 characters (a DNS-1123 label)',
    ]);
  });

  it('reports missing fields and misspelt keys', () => {
    expect(issues({ kind: 'kubernetes', resource: 'deployment', name: 'web' })).toEqual(['scaler.namespace: namespace is required']);
    expect(issues({ kind: 'kubernetes', namespace: 'shop', resource: 'deployment', name: 'web', replicas: 3 })).toEqual([
      expect.stringContaining('replicas'),
    ]);
  });
});

describe('ScalerSpec shadow', () => {
  const source = { kind: 'kubernetes', namespace: 'shop', resource: 'deployment', name: 'web' };

  it('watches a workload another autoscaler scales, in recommend mode only', () => {
    const parsed = parseTarget({ ...target({ kind: 'shadow', source }), policy: { mode: 'recommend' } });
    expect(parsed.scaler).toEqual({ kind: 'shadow', source });
    expect(issues({ kind: 'shadow', source })).toEqual([expect.stringMatching(/^policy.mode: .*policy must be mode "recommend"/)]);
  });

  it('validates its source as a kubernetes workload', () => {
    const bad = { ...target({ kind: 'shadow', source: { ...source, namespace: 'Shop' } }), policy: { mode: 'recommend' } };
    expect(() => parseTarget(bad)).toThrow(/DNS-1123 label/);
  });
});

describe('ScalerSpec keda', () => {
  it('hands decisions to KEDA, in enforce mode only, with nothing else to configure', () => {
    expect(parseTarget(target({ kind: 'keda' })).scaler).toEqual({ kind: 'keda' });
    expect(issues({ kind: 'keda' })).toEqual([]);
    expect(targetProblems({ ...target({ kind: 'keda' }), policy: { mode: 'recommend' } })).toEqual([
      expect.stringMatching(/^policy\.mode: mode: a "keda" target hands each decision to KEDA/),
    ]);
    expect(issues({ kind: 'keda', namespace: 'shop' })).toEqual([expect.stringMatching(/^scaler: Unrecognized key/)]);
  });
});

describe('ScalerSpec webhook and the configured caps', () => {
  it('takes http and https webhooks only', () => {
    expect(issues({ kind: 'webhook', url: 'https://scaler.example/scale' })).toEqual([]);
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:70/x', 'data:text/plain,hi']) {
      expect(issues({ kind: 'webhook', url })).toEqual(['scaler.url: url: an http:// or https:// URL']);
    }
  });

  it('caps a local target at a few processes and the tick interval at a floor, both configurable', () => {
    const local = (policy: unknown) => ({ ...target({ kind: 'local' }), policy });
    expect(targetProblems(local({ minReplicas: 1000, maxReplicas: 1000 }))).toEqual([
      expect.stringMatching(/^policy\.maxReplicas: .*at most 8/),
    ]);
    expect(targetProblems(local({ maxReplicas: 8, tickIntervalMs: 999 }))).toEqual([
      expect.stringMatching(/^policy\.tickIntervalMs: .*at least 1000/),
    ]);
    expect(targetProblems(local({ maxReplicas: 20, tickIntervalMs: 200 }), { maxLocalReplicas: 20, minTickIntervalMs: 200 })).toEqual([]);
    // the cap is for processes on this machine; a webhook target may ask for more
    expect(targetProblems({ ...target({ kind: 'webhook', url: 'http://127.0.0.1:9/x' }), policy: { maxReplicas: 50 } })).toEqual([]);
    expect(targetProblems(local({ maxReplicas: 1001 }), { maxLocalReplicas: 5000, minTickIntervalMs: 100 })).toEqual([
      expect.stringMatching(/^policy\.maxReplicas: .*<=1000/),
    ]);
  });
});
