// Benchmark workload join-dim: bench/peers/sql/join-dim.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('join-dim');
