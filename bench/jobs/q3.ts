// Benchmark workload q3: bench/peers/sql/q3.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('q3');
