// Benchmark workload spend: bench/peers/sql/spend.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('spend');
