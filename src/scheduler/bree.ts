import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Bree from 'bree';
import type { Orm } from '../db/orm.ts';
import { log } from '../log.ts';
import { withAdvisoryLock } from './lock.ts';
import { TASKS, type TaskDeps } from './tasks.ts';

const JOBS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../jobs');

/** Runs one task under its advisory lock; logs and swallows errors (the next run retries). */
export async function runTask(orm: Orm, name: string, deps: TaskDeps): Promise<boolean> {
  const task = TASKS[name];
  if (!task) throw new Error(`unknown task ${name}`);
  try {
    return await withAdvisoryLock(orm, name, async (em) => {
      await task.run(em, deps);
    });
  } catch (error) {
    log.error(`job ${name} failed`, error);
    return false;
  }
}

/**
 * Starts Bree with one job per task. Workers ask the server process to run the task
 * (src/scheduler/worker.ts); `stop()` waits for running tasks before it returns, so a
 * SIGTERM never cuts a task in half.
 */
export async function startScheduler(orm: Orm, deps: TaskDeps) {
  const running = new Set<Promise<unknown>>();
  const bree = new Bree({
    root: JOBS_DIR,
    defaultExtension: 'ts',
    acceptedExtensions: ['.ts', '.js'],
    logger: { info: () => {}, warn: (m: unknown) => log.warn(String(m)), error: (m: unknown) => log.error(String(m)) } as never,
    jobs: Object.entries(TASKS).map(([name, task]) => ({ name, interval: task.interval, timeout: '5s' })),
    errorHandler: (error: unknown, meta: { name?: string }) => log.error(`job worker ${meta?.name} failed`, error),
    workerMessageHandler: ({ name, message }: { name: string; message: unknown }) => {
      if (!message || typeof message !== 'object' || !('run' in message)) return;
      const run = runTask(orm, String((message as { run: string }).run), deps).finally(() => {
        running.delete(run);
        bree.workers.get(name)?.postMessage({ finished: true });
      });
      running.add(run);
    },
  });
  await bree.start();
  return {
    /** Starts the job's worker now instead of waiting for its schedule (Bree skips it if it is running). */
    async runNow(name: string) {
      await bree.run(name);
    },
    async stop() {
      await Promise.allSettled([...running]);
      await bree.stop();
    },
  };
}
