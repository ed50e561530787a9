// Benchmark workload sliding: bench/peers/sql/sliding.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('sliding');
