// Benchmark workload q1: bench/peers/sql/q1.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('q1');
