// Benchmark workload session: bench/peers/sql/session.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('session');
