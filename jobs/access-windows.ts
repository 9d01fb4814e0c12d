// Bree worker: the work is done by the server process (src/scheduler/tasks.ts → 'access-windows').
import { runInServer } from '../src/scheduler/worker.ts';

await runInServer('access-windows');
