// Benchmark workload q0: bench/peers/sql/q0.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('q0');
