import { freePort } from '@smartscale/testing';
import { DescribeCluster, kafkaReady } from './readiness';

describe(kafkaReady.name, () => {
  it('is ready when the broker answers Metadata listing at least one broker', async () => {
    const asked: string[] = [];
    const describe: DescribeCluster = async (brokers) => (asked.push(brokers), { brokers: [{ nodeId: 1 }] });
    await expect(kafkaReady('127.0.0.1', 19092, describe)).resolves.toBe(true);
    expect(asked).toEqual(['127.0.0.1:19092']);
  });

  it('is not ready while the cluster lists no broker yet', async () => {
    await expect(kafkaReady('127.0.0.1', 19092, async () => ({ brokers: [] }))).resolves.toBe(false);
  });

  it('is not ready (no throw) when the client fails', async () => {
    await expect(kafkaReady('127.0.0.1', 19092, () => Promise.reject(new Error('ECONNREFUSED')))).resolves.toBe(false);
  });

  it('answers at once, with the real client, for a port nobody listens on', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await expect(kafkaReady('127.0.0.1', port)).resolves.toBe(false);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
