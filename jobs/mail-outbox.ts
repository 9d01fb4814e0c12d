// Bree worker: the work is done by the server process (src/scheduler/tasks.ts → 'mail-outbox').
import { runInServer } from '../src/scheduler/worker.ts';

await runInServer('mail-outbox');
