import { BufferedWriter } from './buffered-writer';

describe(BufferedWriter.name, () => {
  it('writes in batches, retries a failed batch first, and drops the oldest rows past its cap', async () => {
    const written: number[][] = [];
    let fail = true;
    const errors: string[] = [];
    const writer = new BufferedWriter<number>(
      async (rows) => {
        if (fail) {
          fail = false;
          throw new Error('database away');
        }
        written.push(rows);
      },
      (err) => errors.push(err.message),
      { everyMs: 60_000, flushAt: 3, cap: 5 },
    );
    writer.push(1);
    writer.push(2);
    await writer.flush(); // fails: 1 and 2 go back
    expect(errors).toEqual(['database away']);
    writer.push(3); // three buffered: flushes by itself
    await writer.flush();
    expect(written).toEqual([[1, 2, 3]]);

    fail = true;
    for (let i = 10; i < 18; i++) writer.push(i); // flushAt triggers a failing write, then the cap bites
    await writer.close();
    // Eight pushed, at most five kept: the oldest went, the newest were written in order.
    const later = written.flat().slice(3);
    expect(writer.dropped).toBe(3);
    expect(later).toEqual([13, 14, 15, 16, 17]);
  });
});
