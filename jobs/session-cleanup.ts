// Bree worker: the work is done by the server process (src/scheduler/tasks.ts → 'session-cleanup').
import { runInServer } from '../src/scheduler/worker.ts';

await runInServer('session-cleanup');
