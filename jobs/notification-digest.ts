// Bree worker: the work is done by the server process (src/scheduler/tasks.ts → 'notification-digest').
import { runInServer } from '../src/scheduler/worker.ts';

await runInServer('notification-digest');
