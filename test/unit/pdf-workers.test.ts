import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { PdfJobOverLimit, pdfWorkers, type PdfLimits, type PdfWorkers } from '../../src/pdf/workers.ts';
import type { busy, fail, hoard } from '../fixtures/pdf-workers/jobs.ts';

// The pool that keeps PDF work off the request thread (src/pdf/workers.ts, issue 14), with
// jobs that behave like a PDF library stuck in a damaged file.

const JOBS = new URL('../fixtures/pdf-workers/jobs.ts', import.meta.url);

let pool: PdfWorkers | undefined;
const open = (limits: Partial<PdfLimits> = {}) => (pool = pdfWorkers({ seconds: 60, memoryMb: 256, ...limits }));
afterEach(() => pool?.close());

const runBusy = (workers: PdfWorkers, ms: number) => workers.run<typeof busy>(JOBS, 'busy', { ms });

describe('the PDF workers', () => {
  it('run at most two jobs at once; the others wait, and their time counts only from when they start', async () => {
    // Six jobs of one second with a two-second bound: the last two wait two seconds first.
    const workers = open({ seconds: 2 });
    const runs = await Promise.all(Array.from({ length: 6 }, () => runBusy(workers, 1000)));
    const overlapAt = (t: number) => runs.filter((r) => r.start <= t && t < r.end).length;
    const mostAtOnce = Math.max(...runs.map((r) => overlapAt(r.start)));
    expect(mostAtOnce).toBe(Math.min(2, availableParallelism()));
    expect(Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start))).toBeGreaterThanOrEqual(2900);
    expect(new Set(runs.map((r) => r.threadId)).size).toBeLessThanOrEqual(2);
  });

  it('terminate a job that runs over its time, with its thread, and take the next job on a new one', async () => {
    const workers = open({ seconds: 0.5 });
    const stuck = runBusy(workers, 60_000);
    const [worker] = await until(() => (workers.threads().length ? workers.threads() : undefined));
    const exited = once(worker, 'exit');
    await expect(stuck).rejects.toEqual(new PdfJobOverLimit('time'));
    await exited;

    const next = await runBusy(workers, 10);
    expect(next.threadId).not.toBe(worker.threadId);
    expect(workers.threads()).toHaveLength(1);
  });

  it('end a job over its heap bound as one over memory, and take the next job on a new worker', async () => {
    const workers = open({ memoryMb: 32 });
    const error = await workers.run<typeof hoard>(JOBS, 'hoard', { what: 'objects' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PdfJobOverLimit);
    expect((error as PdfJobOverLimit).limit).toBe('memory');
    expect((await runBusy(workers, 10)).end).toBeGreaterThan(0);
  });

  it('hand back a job’s own error as it is, not as a bound', async () => {
    const workers = open();
    const error = await workers.run<typeof fail>(JOBS, 'fail', { message: 'kaputt' }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PdfJobOverLimit);
    expect((error as Error).message).toBe('kaputt');
  });
});

/** Waits (at most 5 seconds) until `probe` returns something. */
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('waited in vain');
}
