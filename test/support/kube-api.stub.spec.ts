import { KubeApiStub } from './kube-api.stub';

const TOKEN = 'stub-token';
const SCALE = '/apis/apps/v1/namespaces/shop/deployments/web/scale';

/** The stub's answers, checked raw, against what kube-apiserver sends (sources in the stub's header). */
describe(KubeApiStub.name, () => {
  let stub: KubeApiStub;
  let url: string;

  beforeEach(async () => {
    stub = new KubeApiStub({ token: TOKEN });
    url = await stub.start();
    stub.add('deployment', 'shop', 'web', 2, 1);
    stub.add('deployment', 'shop', 'idle', 0);
  });
  afterEach(() => stub.stop());

  const call = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(contentType ? { 'content-type': contentType } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('serves an autoscaling/v1 Scale with spec from the workload and status from its pods', async () => {
    const { status, body } = await call('GET', SCALE);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 2 },
      status: { replicas: 1, selector: 'app=web' },
    });
    expect(Object.keys(body.metadata as object).sort()).toEqual(['creationTimestamp', 'name', 'namespace', 'resourceVersion', 'uid']);
  });

  it('omits spec.replicas at zero, so a JSON patch replace of it fails with 422', async () => {
    expect((await call('GET', '/apis/apps/v1/namespaces/shop/deployments/idle/scale')).body.spec).toEqual({});
    const res = await call(
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/idle/scale',
      [{ op: 'replace', path: '/spec/replicas', value: 1 }],
      'application/json-patch+json',
    );
    expect(res.status).toBe(422);
  });

  it('applies JSON patch, merge patch and strategic merge patch, and bumps resourceVersion only on change', async () => {
    const rv = stub.stored('deployment', 'shop', 'web')!.resourceVersion;
    expect((await call('PATCH', SCALE, { spec: { replicas: 2 } }, 'application/merge-patch+json')).body.metadata).toMatchObject({
      resourceVersion: rv,
    });
    expect(
      (await call('PATCH', SCALE, [{ op: 'replace', path: '/spec/replicas', value: 3 }], 'application/json-patch+json')).body.spec,
    ).toEqual({ replicas: 3 });
    expect(
      (await call('PATCH', SCALE, { spec: { replicas: 4 } }, 'application/strategic-merge-patch+json; charset=utf-8')).body.spec,
    ).toEqual({ replicas: 4 });
    expect(stub.stored('deployment', 'shop', 'web')!.resourceVersion).not.toBe(rv);
  });

  it('rejects a patch type it does not accept with 415 before touching the object', async () => {
    const res = await call('PATCH', SCALE, { spec: { replicas: 9 } }, 'application/json');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    expect(res.body.message).toMatch(
      /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json/,
    );
    expect(stub.stored('deployment', 'shop', 'web')!.replicas).toBe(2);
  });

  it('answers with Status objects: 404 NotFound, 401 Unauthorized, 409 Conflict, 422 Invalid', async () => {
    const missing = await call('GET', '/apis/apps/v1/namespaces/shop/statefulsets/web/scale');
    expect(missing).toEqual({
      status: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'statefulsets.apps "web" not found',
        reason: 'NotFound',
        details: { name: 'web', group: 'apps', kind: 'statefulsets' },
        code: 404,
      },
    });
    expect((await fetch(url + SCALE)).status).toBe(401);
    const stale = await call('PATCH', SCALE, { metadata: { resourceVersion: '1' }, spec: { replicas: 5 } }, 'application/merge-patch+json');
    expect([stale.status, stale.body.reason]).toEqual([409, 'Conflict']);
    const negative = await call('PATCH', SCALE, { spec: { replicas: -1 } }, 'application/merge-patch+json');
    expect([negative.status, negative.body.reason]).toEqual([422, 'Invalid']);
  });
});
