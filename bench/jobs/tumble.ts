// Benchmark workload tumble: bench/peers/sql/tumble.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('tumble');
