// Entry of a taskmanager's task thread (cluster/task-thread.ts), in plain
// JavaScript: it runs before any TypeScript loader exists in the thread. Registers tsx's loader for this
// thread, then loads workerData.entry. A real file rather than eval'd code,
// so process.argv[1] names a file, as code that checks for the main module (a bundle's) expects.
import { workerData } from 'node:worker_threads';

const { register } = await import(workerData.tsx);
register();
await import(workerData.entry);
