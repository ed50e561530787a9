// Benchmark workload q2: bench/peers/sql/q2.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('q2');
