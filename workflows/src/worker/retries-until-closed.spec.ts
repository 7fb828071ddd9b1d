import { status } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { retriesUntilClosed } from './retries-until-closed';

const unavailable = { code: status.UNAVAILABLE, details: 'unavailable', metadata: new Metadata() };

describe(retriesUntilClosed.name, () => {
  it('retries as the SDK does until closed, then never again', async () => {
    const retries = retriesUntilClosed({ retryableDecider: () => true, delayFunction: () => 0 });
    expect(retries.options.retryableDecider(1, unavailable)).toBe(true);
    await retries.close();
    expect(retries.options.retryableDecider(1, unavailable)).toBe(false);
  });

  it('closes only after the retries already scheduled have fired', async () => {
    const retries = retriesUntilClosed({ retryableDecider: () => true, delayFunction: () => 300 });
    const started = Date.now();
    expect(retries.options.delayFunction(1, unavailable)).toBe(300);
    await retries.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('closes at once when no retry is pending', async () => {
    const started = Date.now();
    await retriesUntilClosed().close();
    expect(Date.now() - started).toBeLessThan(50);
  });
});
