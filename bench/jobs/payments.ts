// Benchmark workload payments: bench/peers/sql/payments.sql run by sluice (see sql-workload.ts).
import { sqlWorkload } from './sql-workload.js';

export default sqlWorkload('payments');
