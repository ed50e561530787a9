// Benchmark workload session-tvf: bench/peers/sql/session-tvf.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('session-tvf');
