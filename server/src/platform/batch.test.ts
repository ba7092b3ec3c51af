import { describe, expect, it } from 'vitest';
import { Batcher } from './batch.js';

/** A write that records its batches and answers after the test lets it (`release`). */
function controlledWrite(fail?: (items: number[]) => unknown) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push(items);
      pending.push(() => {
        const error = fail?.(items);
        if (error) reject(error);
        else resolve(items.map((item) => item * 10));
      });
    });
  const release = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batches, write, release };
}

describe('Batcher', () => {
  it('writes a lone call at once, and the calls made meanwhile together, each answered with its own result', async () => {
    const { batches, write, release } = controlledWrite();
    const batcher = new Batcher(write, { maxBatch: 3, maxInFlight: 1 });
    const first = batcher.submit(1);
    const rest = [2, 3, 4, 5, 6].map((item) => batcher.submit(item));
    expect(batches).toEqual([[1]]);
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50, 60]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('after a database error writes the batch one by one, so only the bad call fails', async () => {
    const statementError = Object.assign(new Error('violates check constraint'), { code: '23514' });
    const { batches, write, release } = controlledWrite((items) => (items.includes(3) ? statementError : undefined));
    const batcher = new Batcher(write, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.submit(1);
    const others = [2, 3, 4].map((item) => batcher.submit(item).then(String, (error: Error) => error.message));
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(others)).toEqual(['20', 'violates check constraint', '40']);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('fails every call of a batch whose outcome is unknown (a lost connection), without writing it again', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const { batches, write, release } = controlledWrite((items) => (items.length > 1 ? lost : undefined));
    const batcher = new Batcher(write, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.submit(1);
    const others = [2, 3].map((item) => batcher.submit(item).catch((error: Error) => error.message));
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(others)).toEqual([lost.message, lost.message]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('keeps up to maxInFlight batches going at once', async () => {
    const { batches, write, release } = controlledWrite();
    const batcher = new Batcher(write, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5].map((item) => batcher.submit(item));
    // Two writes start at once; the calls made while both are going wait for the first to finish.
    expect(batches).toEqual([[1], [2]]);
    await release();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2], [3, 4], [5]]);
  });
});
