// Benchmark workload tumble-tvf: bench/peers/sql/tumble-tvf.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('tumble-tvf');
