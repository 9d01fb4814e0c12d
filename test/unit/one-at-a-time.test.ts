import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../../src/db/advisory-lock.ts';
import type { Em } from '../../src/db/orm.ts';

// The embedded database's stand-in for the advisory lock (src/db/advisory-lock.ts): a queue
// per key in the process. PostgreSQL's side is covered by the concurrent "Briefe drucken"
// in test/integration/document-receipts.test.ts.
const noEm = undefined as unknown as Em;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('oneAtATime on the embedded database', () => {
  it('runs tasks with the same key one after another, in the order they came', async () => {
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} starts`);
      await tick();
      log.push(`${name} ends`);
      return name;
    };
    const results = await Promise.all([oneAtATime(noEm, 'k', task('a'), true), oneAtATime(noEm, 'k', task('b'), true), oneAtATime(noEm, 'k', task('c'), true)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('lets different keys run side by side, and a failed task does not stop the next', async () => {
    const log: string[] = [];
    const failing = oneAtATime(
      noEm,
      'x',
      async () => {
        log.push('x1');
        await tick();
        throw new Error('broken');
      },
      true,
    );
    const other = oneAtATime(noEm, 'y', async () => log.push('y'), true);
    const next = oneAtATime(noEm, 'x', async () => log.push('x2'), true);
    await expect(failing).rejects.toThrow('broken');
    await Promise.all([other, next]);
    expect(log).toEqual(['x1', 'y', 'x2']);
  });
});
