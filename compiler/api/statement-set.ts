// Flink's StatementSet (TableEnvironment.createStatementSet()): INSERTs collected with addInsertSql / addInsert
// and run as one job by execute(), their sources read once and shared (a table is one source node however
// many inserts read it), as `EXECUTE STATEMENT SET BEGIN ... END;` does in SQL. explain() shows that job.
import type { SinkNode, SourceLoc } from '../../runtime/core/plan.js';
import type { TableDef } from '../ir/catalog.js';
import { CompileError } from '../ir/diagnostics.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { callerLoc } from '../ir/source-loc.js';
import { addSinkNode } from '../frontend/sink-node.js';
import { parseInsertSql } from '../frontend/sql/index.js';
import type { SqlEnvironment } from '../frontend/sql/query.js';
import { explainSinks } from './explain-table.js';
import type { Table, TableResult } from './table.js';
import { statementResult, type ResultEnvironment } from './table-results.js';

/** What a statement set needs from its environment (TableEnvironment implements it). */
export interface StatementSetEnvironment extends SqlEnvironment, ResultEnvironment {
  readonly plan: PlanBuilder;
  sinkTableDef(name: string, loc?: SourceLoc): TableDef;
  getConfig(): { set(key: string, value: string): unknown; readonly values: Record<string, string> };
}

interface PendingInsert {
  table: string;
  query: Table;
  loc: SourceLoc | undefined;
}

export class StatementSet {
  private readonly inserts: PendingInsert[] = [];

  constructor(private readonly env: StatementSetEnvironment) {}

  /** Adds `INSERT INTO t SELECT ...` (one statement); its query is checked now, errors pointing into the SQL. */
  addInsertSql(sql: string): StatementSet {
    this.inserts.push(parseInsertSql(this.env, sql, callerLoc()));
    return this;
  }

  /** Adds the insert of `table` into the registered sink table `targetPath`. */
  addInsert(targetPath: string, table: Table): StatementSet {
    const loc = callerLoc();
    // As Flink, a missing target fails when it is added, not later at execute().
    this.env.sinkTableDef(targetPath, loc);
    this.inserts.push({ table: targetPath, query: table, loc });
    return this;
  }

  /** The job the inserts make, as Flink's explain: the logical plan, then the optimized and fused one. */
  explain(): string {
    const plan = this.env.plan.fork();
    const sinks: SinkNode[] = this.pending().map((i) => addSinkNode(plan, this.env.functions, this.env.sinkTableDef(i.table, i.loc), i.query.node, i.loc));
    return explainSinks(plan.nodes, this.env.getConfig().values, sinks);
  }

  /**
   * Adds the inserts to the job as one: inside a job they run with it; standalone, await() runs them (and
   * nothing else) in this process. The set is empty afterwards, as Flink's.
   */
  execute(): TableResult {
    for (const i of this.pending()) this.env.insertInto(i.table, i.query, i.loc);
    this.inserts.length = 0;
    return statementResult(this.env);
  }

  private pending(): PendingInsert[] {
    if (this.inserts.length === 0) throw new CompileError('the statement set holds no INSERT', callerLoc(), 'add them with addInsertSql(...) or addInsert(...)');
    return this.inserts;
  }
}
