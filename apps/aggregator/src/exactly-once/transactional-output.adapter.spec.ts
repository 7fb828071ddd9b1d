import { isFenced, retryConcurrent } from './transactional-output.adapter';

const refusal = (type: string): Error => Object.assign(new Error(type), { type });

describe(retryConcurrent.name, () => {
  it('tries again while the coordinator answers CONCURRENT_TRANSACTIONS', async () => {
    let calls = 0;
    const op = async (): Promise<string> => {
      calls++;
      if (calls < 3) throw refusal('CONCURRENT_TRANSACTIONS');
      return 'done';
    };
    await expect(retryConcurrent(op, 5, 1)).resolves.toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt, and at once on any other error', async () => {
    let calls = 0;
    const always = async (): Promise<void> => {
      calls++;
      throw refusal('CONCURRENT_TRANSACTIONS');
    };
    await expect(retryConcurrent(always, 3, 1)).rejects.toThrow('CONCURRENT_TRANSACTIONS');
    expect(calls).toBe(3);
    calls = 0;
    const fenced = async (): Promise<void> => {
      calls++;
      throw refusal('PRODUCER_FENCED');
    };
    await expect(retryConcurrent(fenced, 3, 1)).rejects.toThrow('PRODUCER_FENCED');
    expect(calls).toBe(1);
    expect(isFenced(refusal('PRODUCER_FENCED'))).toBe(true);
  });
});
