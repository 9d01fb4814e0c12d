import { parentPort } from 'node:worker_threads';

/**
 * Body of every Bree worker in jobs/: ask the server process to run the task and wait
 * until it has finished. The work runs in the server process because it needs the
 * server's database connection (the embedded database cannot be opened twice); the
 * worker only carries Bree's schedule, and while it waits Bree will not start the same
 * job again.
 */
export function runInServer(task: string): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error(`job ${task} must run as a Bree worker`);
  return new Promise((resolve) => {
    port.on('message', (message: unknown) => {
      if (message && typeof message === 'object' && 'finished' in message) {
        port.postMessage('done');
        resolve();
      }
    });
    port.postMessage({ run: task });
  });
}
