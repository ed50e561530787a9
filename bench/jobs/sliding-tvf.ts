// Benchmark workload sliding-tvf: bench/peers/sql/sliding-tvf.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('sliding-tvf');
