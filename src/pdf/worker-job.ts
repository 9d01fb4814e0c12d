import type { MessagePort } from 'node:worker_threads';

/** What the pool (src/pdf/workers.ts) posts to a worker: the job's input and a port to say it started. */
export type JobTask<Input> = { input: Input; started: MessagePort };

/**
 * Makes a function a job of the PDF workers (src/pdf/workers.ts). Runs in the worker thread:
 * it first tells the pool that a worker has taken the job, so the job's time limit counts
 * from now and not from when it was queued behind others.
 */
export function pdfJob<Input, Output>(run: (input: Input) => Promise<Output>): (task: JobTask<Input>) => Promise<Output> {
  return (task) => {
    task.started.postMessage('started');
    task.started.close();
    return run(task.input);
  };
}
