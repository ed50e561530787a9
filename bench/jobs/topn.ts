// Benchmark workload topn: bench/peers/sql/topn.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('topn');
