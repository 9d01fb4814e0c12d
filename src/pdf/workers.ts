import { availableParallelism } from 'node:os';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { log } from '../log.ts';
import type { JobTask } from './worker-job.ts';

/**
 * PDF work runs in worker threads, never on the thread that answers requests: reading PDFs
 * that people upload (pdf-lib spent minutes on a damaged 10 MB file, and while it did the
 * server answered nobody, issue 14) and drawing the PDFs we make (300 invitation letters
 * take seconds; a Vorgang's PNG thumbnails are decoded in JavaScript). The pool (piscina)
 * runs at most two jobs at once; the rest wait in line. Each job has two bounds: its time, counted from when a worker takes it (not
 * while it waits behind others), after which that worker is terminated and replaced; and
 * its heap (V8's resourceLimits), over which the worker dies with ERR_WORKER_OUT_OF_MEMORY.
 * Jobs are functions made with `pdfJob` (src/pdf/worker-job.ts) in a module of their own;
 * they receive and return plain data (paths, numbers, texts, small byte arrays such as
 * thumbnails), never a big file's bytes: those go by path, and a job writes what it makes
 * to a temp path its caller chose (and removes should the job be stopped half-way).
 */
export type PdfLimits = {
  /** Running time of one job (PDF_JOB_SECONDS). */
  seconds: number;
  /** V8 old-generation heap of a worker (PDF_JOB_MEMORY_MB). */
  memoryMb: number;
};

/** A job ended by a bound: its worker was terminated (time) or died (memory); nothing it did counts. */
export class PdfJobOverLimit extends Error {
  readonly limit: 'time' | 'memory';
  constructor(limit: 'time' | 'memory') {
    super(`PDF job stopped: over its ${limit} limit`);
    this.limit = limit;
  }
}

/** A job function of a worker module (made with pdfJob). */
type Job = (task: JobTask<never>) => Promise<unknown>;
type InputOf<J> = J extends (task: JobTask<infer Input>) => Promise<unknown> ? Input : never;
type OutputOf<J> = J extends (task: JobTask<never>) => Promise<infer Output> ? Output : never;

/** Two jobs at once at most, one per core of the 2-core machine; their lower priority (below) lets requests go first. */
const MAX_JOBS = Math.min(2, availableParallelism());
/** An idle worker ends after this, handing back the memory of the last PDF it read. */
const IDLE_MS = 30_000;

export function pdfWorkers(limits: PdfLimits) {
  const pool = new Piscina({
    minThreads: 0,
    maxThreads: MAX_JOBS,
    idleTimeout: IDLE_MS,
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
    // The workers' threads run at a lower priority (nice +10): when the cores are busy,
    // requests and PostgreSQL go first and a long PDF job waits.
    niceIncrement: 10,
  });
  // A worker that fails while no job is on it (e.g. while starting) is reported here; without
  // a listener the pool's 'error' event would end the whole server.
  pool.on('error', (error) => log.error('PDF worker failed', error));

  return {
    limits,
    /**
     * Runs the job exported as `name` by the worker module at `module`, e.g.
     * `run<typeof readSerialLetter>(new URL('./pdf-jobs.ts', import.meta.url), 'readSerialLetter', input)`
     * (with `import type`, so the PDF libraries never load on the request thread).
     * Throws PdfJobOverLimit when a bound stopped it; an error thrown by the job comes back as is.
     */
    async run<J extends Job>(module: URL, name: string, input: InputOf<J>): Promise<OutputOf<J>> {
      const { port1: started, port2: startedInWorker } = new MessageChannel();
      started.unref();
      const stop = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      started.once('message', () => {
        timer = setTimeout(() => stop.abort(), limits.seconds * 1000);
      });
      try {
        const task: JobTask<InputOf<J>> = { input, started: startedInWorker };
        return await pool.run(task, { filename: module.href, name, signal: stop.signal, transferList: [startedInWorker] });
      } catch (error) {
        // piscina terminates the worker of an aborted job and starts a new one when needed.
        if (stop.signal.aborted) throw new PdfJobOverLimit('time');
        if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') throw new PdfJobOverLimit('memory');
        throw error;
      } finally {
        clearTimeout(timer);
        started.close();
      }
    },
    /** The worker threads alive now (tests watch a timed-out job's worker end). */
    threads: (): Worker[] => pool.threads,
    /** Ends every worker, running jobs included (server shutdown, end of a test file). */
    close: () => pool.destroy(),
  };
}

export type PdfWorkers = ReturnType<typeof pdfWorkers>;
