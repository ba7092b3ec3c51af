import { describe, expect, it } from 'vitest';
import { Batcher } from './batch.js';

/** A write that records its batches and answers when the test lets it (`release`). */
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
    await turn();
    while (pending.length > 0) {
      pending.shift()!();
      await turn();
    }
  };
  return { batches, write, release };
}

/** One turn of the event loop: the batcher starts a batch after the calls of the current turn. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('writes the calls of one turn together, and those made while a batch is written in the next one', async () => {
    const { batches, write, release } = controlledWrite();
    const batcher = new Batcher(write, { maxBatch: 3, maxInFlight: 1 });
    const first = [1, 2].map((item) => batcher.submit(item));
    await turn();
    expect(batches).toEqual([[1, 2]]);
    const rest = [3, 4, 5, 6].map((item) => batcher.submit(item));
    await release();
    expect(await Promise.all(first)).toEqual([10, 20]);
    expect(await Promise.all(rest)).toEqual([30, 40, 50, 60]);
    expect(batches).toEqual([[1, 2], [3, 4, 5], [6]]);
  });

  it('writes a lone call alone', async () => {
    const { batches, write, release } = controlledWrite();
    const batcher = new Batcher(write, { maxBatch: 10, maxInFlight: 1 });
    const lone = batcher.submit(7);
    await release();
    expect(await lone).toBe(70);
    expect(batches).toEqual([[7]]);
  });

  it('after a database error writes the batch one by one, so only the bad call fails', async () => {
    const statementError = Object.assign(new Error('violates check constraint'), { code: '23514' });
    const { batches, write, release } = controlledWrite((items) => (items.includes(3) ? statementError : undefined));
    const batcher = new Batcher(write, { maxBatch: 10, maxInFlight: 1 });
    const all = [1, 2, 3, 4].map((item) => batcher.submit(item).then(String, (error: Error) => error.message));
    await release();
    expect(await Promise.all(all)).toEqual(['10', '20', 'violates check constraint', '40']);
    expect(batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
  });

  it('fails every call of a batch whose outcome is unknown (a lost connection), without writing it again', async () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const { batches, write, release } = controlledWrite(() => lost);
    const batcher = new Batcher(write, { maxBatch: 10, maxInFlight: 1 });
    const all = [1, 2].map((item) => batcher.submit(item).catch((error: Error) => error.message));
    await release();
    expect(await Promise.all(all)).toEqual([lost.message, lost.message]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('keeps up to maxInFlight batches going at once', async () => {
    const { batches, write, release } = controlledWrite();
    const batcher = new Batcher(write, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5].map((item) => batcher.submit(item));
    await turn();
    // Two writes start at once; the call left waits for one of them to finish.
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await release();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });
});
