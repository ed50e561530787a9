// SELECT lowering: each construct becomes the Table API plan (node kinds, resolved expressions, schema)
// a Table API job would build; unsupported constructs are CompileErrors that name them.
import { beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import type { WindowAggregateNode } from '../../runtime/core/plan.js';
import { calcText, compileError, planOf, schemaOf } from './helpers.js';

let env: TableEnvironment;

beforeEach(() => {
  env = TableEnvironment.create();
  env.executeSql(`
    CREATE TABLE tx (
      account_id BIGINT, amount BIGINT, name STRING, price DOUBLE, ts TIMESTAMP(3),
      proc AS PROCTIME(),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
    ) WITH ('connector' = 'datagen');
    CREATE TABLE sink (account_id BIGINT, total BIGINT) WITH ('connector' = 'blackhole')`);
});

const kinds = (sql: string) => planOf(env.sqlQuery(sql)).map((n) => n.kind);
/** The calc right after the source, for single-calc queries. */
const calc = (sql: string) => calcText(planOf(env.sqlQuery(sql))[1]);

describe('projection and filtering', () => {
  it('expressions, aliases (with and without AS), literals and *', () => {
    const t = env.sqlQuery('SELECT account_id AS id, amount + 1 AS a1, amount * 2 twice, -amount, 1, \'x\' s, * FROM tx');
    expect(schemaOf(t).slice(0, 6)).toEqual(['id BIGINT', 'a1 BIGINT', 'twice BIGINT', 'EXPR$3 BIGINT', 'EXPR$4 INT NOT NULL', 's STRING NOT NULL']);
    expect(t.getSchema().slice(6).map((f) => f.name)).toEqual(['account_id', 'amount', 'name', 'price', 'ts', 'proc']);
    expect(calcText(planOf(t)[1]).projections.slice(1, 4)).toEqual(['a1 = plus(amount, 1)', 'twice = times(amount, 2)', 'EXPR$3 = negate(amount)']);
    expect(kinds('SELECT * FROM tx')).toEqual(['source', 'calc']);
  });

  it('WHERE with comparisons, AND/OR/NOT, IS [NOT] NULL, BETWEEN, IN, LIKE', () => {
    expect(calc("SELECT name FROM tx WHERE NOT amount <> 1 AND (name IS NOT NULL OR price IS NULL) AND amount BETWEEN 1 AND 5 AND account_id IN (1, 2) AND name LIKE 'a%' AND name NOT LIKE '%z'").filter)
      .toBe('and(and(and(and(and(not(ne(amount, 1)), or(isNotNull(name), isNull(price))), between(amount, 1, 5)), in(account_id, 1, 2)), like(name, "a%")), notLike(name, "%z"))');
    expect(calc('SELECT name FROM tx WHERE amount NOT BETWEEN 1 AND 5 OR account_id NOT IN (3) OR price >= 2.5').filter)
      .toBe('or(or(notBetween(amount, 1, 5), notIn(account_id, 3)), ge(price, 2.5))');
    expect(calc('SELECT name FROM tx WHERE (amount > 1) IS NOT TRUE').filter).toBe('not(isTrue(gt(amount, 1)))');
  });

  it('CASE (searched and simple) and CAST', () => {
    const c = calc("SELECT CASE WHEN amount > 10 THEN 'big' WHEN amount > 5 THEN 'mid' ELSE 'small' END AS size, CASE account_id WHEN 1 THEN 'one' END AS n, CAST(amount AS DECIMAL(10, 2)) AS d, CAST(name AS INT) i FROM tx");
    expect(c.projections).toEqual([
      'size = case(gt(amount, 10), "big", gt(amount, 5), "mid", "small")',
      'n = case(eq(account_id, 1), "one", null)',
      'd = cast<DECIMAL(10, 2)>(amount)',
      'i = cast<INT>(name)',
    ]);
  });

  it('string functions: UPPER LOWER CHAR_LENGTH SUBSTRING (both spellings) CONCAT || TRIM', () => {
    const c = calc("SELECT UPPER(name), LOWER(name), CHAR_LENGTH(name), SUBSTRING(name, 2, 3), SUBSTRING(name FROM 2 FOR 3), SUBSTRING(name FROM 2), CONCAT(name, '!'), name || '?', TRIM(name) FROM tx");
    expect(c.projections.map((p) => p.split(' = ')[1])).toEqual([
      'upper(name)', 'lower(name)', 'charLength(name)', 'substring(name, 2, 3)', 'substring(name, 2, 3)', 'substring(name, 2)',
      'concat(name, "!")', 'concat(name, "?")', 'trim(name)',
    ]);
  });

  it('temporal functions: FLOOR/CEIL(ts TO unit), DATE_FORMAT, TIMESTAMPDIFF, CURRENT_TIMESTAMP, typed literals', () => {
    const t = env.sqlQuery("SELECT FLOOR(ts TO HOUR) AS h, CEIL(ts TO MINUTE) AS m, DATE_FORMAT(ts, 'yyyy-MM-dd') AS d, TIMESTAMPDIFF(SECOND, ts, CURRENT_TIMESTAMP) AS age, ts + INTERVAL '1' DAY AS tomorrow FROM tx WHERE ts > TIMESTAMP '2024-01-31 12:00:00'");
    // WHERE and SELECT are two calcs, as .where(...).select(...) builds them.
    expect(calcText(planOf(t)[1]).filter).toBe(`gt(ts, ${Date.UTC(2024, 0, 31, 12)})`);
    expect(calcText(planOf(t)[2])).toEqual({
      projections: ['h = floor(ts, "HOUR")', 'm = ceil(ts, "MINUTE")', 'd = dateFormat(ts, "yyyy-MM-dd")', 'age = timestampDiff("SECOND", ts, currentTimestamp())', 'tomorrow = plus(ts, 86400000)'],
      filter: null,
    });
    expect(schemaOf(t)).toEqual(['h TIMESTAMP(3)', 'm TIMESTAMP(3)', 'd STRING', 'age INT', 'tomorrow TIMESTAMP(3)']);
  });

  it('UDF calls by registered name', () => {
    env.functions.add({ name: 'province_id_to_name', inputTypes: [DataTypes.BIGINT()], resultType: DataTypes.STRING() });
    const t = env.sqlQuery('SELECT province_id_to_name(account_id) AS province FROM tx');
    expect(calcText(planOf(t)[1]).projections).toEqual(['province = province_id_to_name(account_id)']);
    expect(planOf(t)[1].kind === 'calc' && planOf(t)[1]).toMatchObject({ projections: [{ expr: { kind: 'udf' } }] });
  });

  it('table aliases, subqueries in FROM, WITH', () => {
    expect(schemaOf(env.sqlQuery('SELECT t.account_id, t.amount FROM tx AS t WHERE t.amount > 0'))).toEqual(['account_id BIGINT', 'amount BIGINT']);
    const sub = env.sqlQuery('SELECT s.a, s.doubled FROM (SELECT account_id AS a, amount * 2 AS doubled FROM tx) s WHERE s.doubled > 4');
    expect(planOf(sub).map((n) => n.kind)).toEqual(['source', 'calc', 'calc', 'calc']);
    expect(schemaOf(env.sqlQuery('WITH big (id, amt) AS (SELECT account_id, amount FROM tx WHERE amount > 100) SELECT id FROM big'))).toEqual(['id BIGINT']);
    expect(schemaOf(env.sqlQuery('SELECT x.* FROM tx x'))).toHaveLength(6);
    const e = compileError(() => env.sqlQuery('SELECT y.amount FROM tx x'));
    expect(e.message).toBe("unknown table or alias 'y'");
  });

  it('UNION ALL and UNION', () => {
    // The second input's column takes the first one's name (rows are read by name): one more calc.
    expect(kinds('SELECT account_id FROM tx UNION ALL SELECT amount FROM tx')).toEqual(['source', 'calc', 'calc', 'calc', 'union']);
    expect(kinds('SELECT account_id FROM tx UNION SELECT amount FROM tx')).toEqual(['source', 'calc', 'calc', 'calc', 'union', 'calc', 'groupAggregate', 'calc']);
  });
});

describe('syntax forms', () => {
  it('lowercase keywords, comments, quoted identifiers, doubled quotes, a trailing semicolon', () => {
    const t = env.sqlQuery(`select \`name\` as \`the name\`, -- a comment
      /* another */ 'it''s' as s from tx where \`amount\` > -5;`);
    expect(schemaOf(t)).toEqual(['the name STRING', 's STRING NOT NULL']);
    expect(calcText(planOf(t)[1]).filter).toBe('gt(amount, -5)');
    expect(calcText(planOf(t)[2]).projections).toEqual(['the name = name', 's = "it\'s"']);
  });

  it('IF, COALESCE, POSITION, EXTRACT, IS TRUE, INTERVAL arithmetic, default_catalog paths', () => {
    const c = calc("SELECT IF(amount > 1, 'a', 'b') AS i, COALESCE(name, 'none') AS c, POSITION('a' IN name) AS p, EXTRACT(HOUR FROM ts) AS h, (amount > 1) IS TRUE AS t, ts - INTERVAL '90' SECOND AS earlier FROM default_catalog.default_database.tx");
    expect(c.projections).toEqual([
      'i = case(gt(amount, 1), "a", "b")', 'c = coalesce(name, "none")', 'p = position("a", name)', 'h = extract("HOUR", ts)',
      't = isTrue(gt(amount, 1))', 'earlier = minus(ts, 90000)',
    ]);
  });
});

describe('aggregation', () => {
  it('GROUP BY with COUNT(*), COUNT(DISTINCT), SUM, AVG, MIN, MAX and HAVING', () => {
    const t = env.sqlQuery('SELECT account_id, COUNT(*) AS n, COUNT(DISTINCT name) AS names, SUM(amount) AS total, AVG(price) AS avg_price, MIN(ts) AS first_ts, MAX(amount) AS biggest FROM tx GROUP BY account_id HAVING SUM(amount) > 100');
    const plan = planOf(t);
    expect(plan.map((n) => n.kind)).toEqual(['source', 'calc', 'groupAggregate', 'calc']);
    const agg = plan[2];
    expect(agg.kind === 'groupAggregate' && agg.aggs.map((a) => `${a.fn}${a.distinct ? ' distinct' : ''}(${a.arg ?? '*'})`))
      .toEqual(['count(*)', 'count distinct(name)', 'sum(amount)', 'avg(price)', 'min(ts)', 'max(amount)']);
    expect(agg.kind === 'groupAggregate' && agg.keys).toEqual(['account_id']);
    expect(calcText(plan[3]).filter).toBe('gt($agg2, 100)');
    expect(schemaOf(t)).toEqual(['account_id BIGINT', 'n BIGINT NOT NULL', 'names BIGINT NOT NULL', 'total BIGINT', 'avg_price DOUBLE', 'first_ts TIMESTAMP(3)', 'biggest BIGINT']);
    expect(t.node.changelog).toBe('upsert');
  });

  it('global aggregates, GROUP BY expressions, SELECT DISTINCT', () => {
    expect(schemaOf(env.sqlQuery('SELECT COUNT(*) FROM tx'))).toEqual(['EXPR$0 BIGINT NOT NULL']);
    const hourly = env.sqlQuery('SELECT FLOOR(ts TO HOUR) AS h, SUM(amount) AS total FROM tx GROUP BY FLOOR(ts TO HOUR)');
    expect(schemaOf(hourly)).toEqual(['h TIMESTAMP(3)', 'total BIGINT']);
    const d = planOf(env.sqlQuery('SELECT DISTINCT account_id, name FROM tx'));
    expect(d.map((n) => n.kind)).toEqual(['source', 'calc', 'calc', 'groupAggregate', 'calc']);
    expect(d[3].kind === 'groupAggregate' && d[3].keys).toEqual(['account_id', 'name']);
  });

  it('reports a column that is neither grouped nor aggregated', () => {
    expect(compileError(() => env.sqlQuery('SELECT name, SUM(amount) FROM tx GROUP BY account_id')).message).toBe("column 'name' is neither grouped nor aggregated");
  });
});

describe('group windows', () => {
  const windowOf = (sql: string) => {
    const t = env.sqlQuery(sql);
    const node = planOf(t).find((n): n is WindowAggregateNode => n.kind === 'windowAggregate')!;
    return { t, node, schema: schemaOf(t) };
  };

  it('GROUP BY TUMBLE with TUMBLE_START/_END/_ROWTIME', () => {
    const { node, schema } = windowOf(`SELECT TUMBLE_START(ts, INTERVAL '10' MINUTE) AS ws, TUMBLE_END(ts, INTERVAL '10' MINUTE) AS we,
      TUMBLE_ROWTIME(ts, INTERVAL '10' MINUTE) AS wt, account_id, SUM(amount) AS total FROM tx GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE), account_id`);
    expect(node.window).toEqual({ type: 'tumble', timeColumn: 'ts', time: 'event', sizeMs: 600_000, slideMs: 0, gapMs: 0 });
    expect(node.keys).toEqual(['account_id']);
    expect(node.properties.map((p) => p.property)).toEqual(['start', 'end', 'rowtime']);
    expect(schema).toEqual(['ws TIMESTAMP(3) NOT NULL', 'we TIMESTAMP(3) NOT NULL', 'wt TIMESTAMP(3) *ROWTIME* NOT NULL', 'account_id BIGINT', 'total BIGINT']);
  });

  it('HOP(ts, slide, size) and SESSION(ts, gap), on event and processing time', () => {
    expect(windowOf(`SELECT HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE), COUNT(*) FROM tx GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)`).node.window)
      .toMatchObject({ type: 'slide', sizeMs: 300_000, slideMs: 60_000, time: 'event' });
    expect(windowOf(`SELECT SESSION_END(proc, INTERVAL '30' SECOND) AS e, name, COUNT(*) FROM tx GROUP BY name, SESSION(proc, INTERVAL '30' SECOND)`).node.window)
      .toMatchObject({ type: 'session', gapMs: 30_000, time: 'processing', timeColumn: 'proc' });
  });

  it('window TVFs: TUMBLE, HOP (slide, size), CUMULATE (step, max size), named parameters', () => {
    const tumble = windowOf(`SELECT window_start, window_end, window_time, account_id, SUM(amount) AS total
      FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end, account_id`);
    expect(tumble.node.window).toMatchObject({ type: 'tumble', sizeMs: 600_000 });
    expect(tumble.schema).toEqual(['window_start TIMESTAMP(3) NOT NULL', 'window_end TIMESTAMP(3) NOT NULL', 'window_time TIMESTAMP(3) *ROWTIME* NOT NULL', 'account_id BIGINT', 'total BIGINT']);
    expect(windowOf(`SELECT window_start, COUNT(*) FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY window_start, window_end`).node.window)
      .toMatchObject({ type: 'slide', slideMs: 60_000, sizeMs: 300_000 });
    const proc = windowOf(`SELECT window_time, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(proc), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end`);
    expect(proc.node.window).toMatchObject({ time: 'processing', timeColumn: 'proc' });
    expect(proc.schema).toEqual(['window_time TIMESTAMP_LTZ(3) *PROCTIME* NOT NULL', 'n BIGINT NOT NULL']);
    expect(windowOf(`SELECT window_end, SUM(amount) FROM TABLE(CUMULATE(DATA => TABLE tx, TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '1' HOUR, SIZE => INTERVAL '1' DAY)) GROUP BY window_start, window_end`).node.window)
      .toMatchObject({ type: 'cumulate', slideMs: 3_600_000, sizeMs: 86_400_000 });
  });

  it('the seed TUMBLE query and its Table API twin build the same plan shape', async () => {
    const { Tumble, $, lit } = await import('../../compiler/api/index.js');
    const sql = planOf(env.sqlQuery(`SELECT TUMBLE_START(ts, INTERVAL '10' MINUTE) AS wStart, TUMBLE_END(ts, INTERVAL '10' MINUTE) AS wEnd, account_id, SUM(amount) AS total_amount
      FROM tx GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE), account_id`));
    const api = planOf(env.from('tx').window(Tumble.over(lit(10).minutes()).on($('ts')).as('w')).groupBy($('w'), $('account_id'))
      .select($('w').start().as('wStart'), $('w').end().as('wEnd'), $('account_id'), $('amount').sum().as('total_amount')));
    expect(sql.map((n) => n.kind)).toEqual(api.map((n) => n.kind));
    const strip = (n: (typeof sql)[number]) => { const { id: _i, input: _n, loc: _l, ...rest } = n as typeof n & { input?: string }; return JSON.parse(JSON.stringify(rest)); };
    expect(sql.slice(1).map(strip)).toEqual(api.slice(1).map(strip));
  });

  it('a window table function not grouped by window_start and window_end is a table of its own (a windowTable node)', () => {
    const t = env.sqlQuery(`SELECT *, window_time AS wt FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) WHERE window_start > ts`);
    expect(kinds(`SELECT * FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))`)).toEqual(['source', 'windowTable', 'calc']);
    const node = planOf(t).find((n) => n.kind === 'windowTable')!;
    expect(node).toMatchObject({ window: { type: 'slide', timeColumn: 'ts', time: 'event', sizeMs: 300_000, slideMs: 60_000 } });
    // The time column stays a rowtime, as in Flink; window_time is one too.
    expect(schemaOf(t).slice(4)).toEqual(['ts TIMESTAMP(3) *ROWTIME*', 'proc TIMESTAMP_LTZ(3) *PROCTIME* NOT NULL', 'window_start TIMESTAMP(3) NOT NULL',
      'window_end TIMESTAMP(3) NOT NULL', 'window_time TIMESTAMP(3) *ROWTIME* NOT NULL', 'wt TIMESTAMP(3) *ROWTIME* NOT NULL']);
    // GROUP BY only one of them: a regular (updating) aggregate over the windows' rows, as Flink plans it.
    expect(kinds(`SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start`))
      .toEqual(['source', 'windowTable', 'calc', 'groupAggregate', 'calc']);
    expect(compileError(() => env.sqlQuery(`SELECT * FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(amount), INTERVAL '1' MINUTE))`)).message).toMatch(/not a time attribute/);
    // Two rowtime columns cannot be written into a table (Flink's planner refuses it too).
    env.executeSql('CREATE TABLE two_times (a TIMESTAMP(3), b TIMESTAMP(3)) WITH (\'connector\' = \'blackhole\')');
    expect(compileError(() => env.executeSql(`INSERT INTO two_times SELECT ts, window_time FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))`)).message)
      .toMatch(/more than one rowtime attribute column \(ts, window_time\)/);
  });

  it('window errors: auxiliary functions must match, window columns belong to the select list, windows need a time attribute', () => {
    expect(compileError(() => env.sqlQuery(`SELECT TUMBLE_START(ts, INTERVAL '5' MINUTE) FROM tx GROUP BY TUMBLE(ts, INTERVAL '10' MINUTE)`)).message)
      .toMatch(/TUMBLE_START\(\.\.\.\) does not match the window GROUP BY TUMBLE\(ts, INTERVAL '10' MINUTE\)/);
    expect(compileError(() => env.sqlQuery(`SELECT TUMBLE_END(ts, INTERVAL '5' MINUTE) FROM tx GROUP BY account_id`)).message).toBe('TUMBLE_END(...) needs GROUP BY TUMBLE(...)');
    expect(compileError(() => env.sqlQuery(`SELECT window_start FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE window_start > ts GROUP BY window_start, window_end`)).message)
      .toBe('window_start is only available in the select list of GROUP BY window_start, window_end');
    expect(compileError(() => env.sqlQuery(`SELECT COUNT(*) FROM tx GROUP BY TUMBLE(amount, INTERVAL '1' MINUTE)`)).message).toMatch(/not a time attribute/);
    expect(compileError(() => env.sqlQuery(`SELECT TUMBLE(ts, INTERVAL '1' MINUTE) FROM tx`)).message).toMatch(/it belongs in GROUP BY/);
    expect(compileError(() => env.sqlQuery(`SELECT COUNT(*) FROM tx GROUP BY TUMBLE(ts, INTERVAL '1' MONTH)`)).message).toBe('INTERVAL ... MONTH is not supported');
  });
});

describe('statements', () => {
  it('INSERT INTO adds a sink, also with a column list and in a statement set', () => {
    env.executeSql('INSERT INTO sink SELECT account_id, SUM(amount) FROM tx GROUP BY account_id');
    env.executeSql('INSERT INTO sink (total, account_id) SELECT amount, account_id FROM tx');
    env.executeSql('EXECUTE STATEMENT SET BEGIN INSERT INTO sink SELECT account_id, amount FROM tx; INSERT INTO sink (account_id) SELECT amount FROM tx; END');
    const sinks = env.plan.nodes.filter((n) => n.kind === 'sink');
    expect(sinks).toHaveLength(4);
    const reordered = env.plan.node(sinks[1].kind === 'sink' ? sinks[1].input : '');
    expect(calcText(reordered).projections).toEqual(['account_id = account_id', 'total = amount']);
    const padded = env.plan.node(sinks[3].kind === 'sink' ? sinks[3].input : '');
    expect(calcText(padded).projections).toEqual(['account_id = amount', 'total = cast<BIGINT>(null)']);
  });

  it('executeSql returns a trailing SELECT; sqlQuery takes exactly one SELECT', () => {
    expect(compileError(() => env.executeSql('SELECT 1 FROM tx; SELECT 2 FROM tx')).message).toBe('a SELECT can only be the last statement of executeSql');
    expect(compileError(() => env.sqlQuery("CREATE TABLE x (a INT) WITH ('connector' = 'datagen')")).message).toBe('sqlQuery takes exactly one SELECT');
    expect(compileError(() => env.executeSql(' -- nothing\n ;')).message).toBe('executeSql got no SQL statement');
  });
});

describe('unsupported constructs are named', () => {
  it.each([
    ['SELECT a.account_id FROM tx a NATURAL JOIN tx b', 'NATURAL JOIN is not supported'],
    ['SELECT a.account_id FROM tx a JOIN tx b USING (account_id)', 'JOIN ... USING is not supported'],
    ['SELECT account_id, FIRST_VALUE(amount) OVER (PARTITION BY account_id ORDER BY ts) AS s FROM tx', 'FIRST_VALUE OVER is not supported'],
    ['SELECT account_id FROM tx INTERSECT SELECT account_id FROM tx', 'INTERSECT is not supported'],
    ['SELECT account_id FROM tx EXCEPT SELECT account_id FROM tx', 'EXCEPT is not supported'],
    ['SELECT account_id, (SELECT MAX(amount) FROM tx u WHERE u.account_id = t.account_id GROUP BY u.ts) FROM tx t', 'a correlated reference to t.account_id (a column of the enclosing query) here is not supported'],
    ['SELECT account_id FROM tx GROUP BY account_id HAVING SUM(amount) IN (SELECT amount FROM tx) OR account_id > 1', 'IN (subquery) of an aggregate is not supported'],
    ['SELECT 1', 'SELECT without FROM is not supported'],
    ['VALUES (1), (2)', 'VALUES is not supported'],
    ['SELECT * FROM tx FOR SYSTEM_TIME AS OF ts', 'FOR SYSTEM_TIME AS OF outside a join is not supported'],
    ['SELECT amount DIV 2 FROM tx', 'DIV is not supported'],
    ["SELECT * FROM tx MATCH_RECOGNIZE (PARTITION BY account_id ORDER BY ts MEASURES A.amount AS a PATTERN (A) DEFINE A AS A.amount > 0)", 'MATCH_RECOGNIZE is not supported'],
  ])('%s', (sql, message) => {
    expect(compileError(() => env.sqlQuery(sql)).message).toBe(message);
  });

  it.each([
    ["CREATE TABLE c WITH ('connector' = 'datagen') AS SELECT * FROM tx", 'CREATE TABLE ... AS SELECT is not supported'],
    ["CREATE TABLE m (a INT, b STRING METADATA) WITH ('connector' = 'kafka')", 'METADATA columns is not supported'],
    ["CREATE TABLE p (a INT) PARTITIONED BY (a) WITH ('connector' = 'filesystem')", 'PARTITIONED BY is not supported'],
    ['CREATE FUNCTION f AS \'com.example.F\'', 'CREATE FUNCTION is not supported'],
    ["CREATE DATABASE db WITH ('k' = 'v')", 'CREATE DATABASE is not supported'],
    ['ALTER TABLE tx RENAME TO t2', 'ALTER TABLE is not supported'],
    ['INSERT OVERWRITE sink SELECT account_id, amount FROM tx', 'INSERT OVERWRITE is not supported'],
    ['INSERT INTO sink VALUES (1, 2)', 'INSERT ... VALUES is not supported'],
    ['SHOW TABLES', 'SHOW TABLES is not supported'],
    ['USE CATALOG c', 'USE CATALOG is not supported'],
    ["CREATE TABLE z (t TIMESTAMP WITH TIME ZONE) WITH ('connector' = 'x')", 'TIMESTAMP WITH TIME ZONE is not supported'],
    ["CREATE TABLE z (t MULTISET<INT>) WITH ('connector' = 'x')", 'type MULTISET is not supported'],
  ])('%s', (sql, message) => {
    expect(compileError(() => env.executeSql(sql)).message).toBe(message);
  });
});
