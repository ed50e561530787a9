// The conformance corpus: queries over the tables of inputs.ts, run by real Flink (flink/run_flink.py writes
// expected.json) and by sluice (conformance.test.ts). A case's id is its family and its SQL (or expression),
// so ids stay stable when cases are added. Scalar cases select `id` and one expression from `t`, whose rows
// carry the NULLs and edge values. Cases for constructs sluice lacks are here too, so the report shows them.

export interface Case {
  id: string;
  family: string;
  sql: string;
  /** Run in batch mode (execution.runtime-mode = batch) by both engines; default streaming. */
  mode?: 'batch';
  /** The rows are compared in the order the engine emits them (a batch ORDER BY), not sorted. */
  ordered?: boolean;
}

const scalar = (family: string, exprs: string[]): Case[] =>
  exprs.map((e) => ({ id: `${family}: ${e}`, family, sql: `SELECT id, ${e} AS r FROM t` }));

const query = (family: string, sqls: string[], extra: Partial<Case> = {}): Case[] =>
  sqls.map((q) => ({ id: `${family}: ${q.replace(/\s+/g, ' ').trim()}`, family, sql: q, ...extra }));

const COMPARISON = [
  'i = 7', 'i <> 7', 'i > 0', 'i >= 0', 'i < 0', 'i <= 0', 'd = 12.5', 'bi > i', 'dc > 0', 'dc = d', 'f < d',
  "s = 'Hello World'", "s < 'b'", "s > s2", 'b = TRUE', 'ts > TIMESTAMP \'2000-01-01 00:00:00\'', "dt < DATE '2001-01-01'",
  "tm > TIME '12:00:00'", 'i IS NULL', 'i IS NOT NULL', 's IS NULL', 'i IS DISTINCT FROM 7', 'i IS NOT DISTINCT FROM NULL',
  'i BETWEEN -5 AND 10', 'i NOT BETWEEN -5 AND 10', 'i BETWEEN SYMMETRIC 10 AND -5', 'i BETWEEN 10 AND -5',
  "s LIKE 'H%'", "s LIKE '%o%'", "s LIKE '_e%'", "s NOT LIKE '%d'", "s LIKE '%!%%' ESCAPE '!'", "s SIMILAR TO 'H.*'",
  'i IN (7, 0, 1)', 'i IN (1, NULL)', 'i NOT IN (7, 0)', 'i NOT IN (1, NULL)', "s IN ('', 'lo')", "ts = '2024-01-31 10:15:30.123'",
  'i = bi', 'ti < si', 'NULL = NULL', 'i = NULL', 'd > 1e9',
];

const LOGICAL = [
  'b AND i > 0', 'b OR i > 0', 'NOT b', 'b IS TRUE', 'b IS FALSE', 'b IS NOT TRUE', 'b IS NOT FALSE', 'b IS UNKNOWN', 'b IS NOT UNKNOWN',
  'b AND NULL', 'b OR NULL', '(i > 0) = b', 'NOT (i > 0 AND b)', 'b AND NOT b',
];

const ARITHMETIC = [
  'i + 1', 'i - 1', 'i * 2', 'i / 2', 'i % 3', '-i', '+i', 'bi + i', 'bi * 2', 'i * 1000000', 'i + 1.5', 'd + i', 'd * d', 'd / 0', 'd / 3',
  'f + 1', 'f * 2', 'dc + 1', 'dc * 2', 'dc / 3', 'dc + d', 'dc * dc', 'dc + 0.005', 'ti + ti', 'si * si', 'ti * 2',
  '7 / 2', '7.0 / 2', '-7 / 2', '-7 % 3', 'i / 0', 'i % 0', 'MOD(i, 3)', 'MOD(-7, 3)', 'MOD(bi, 7)',
  'ABS(i)', 'ABS(d)', 'ABS(dc)', 'ABS(ti)', 'POWER(i, 2)', 'POWER(d, 0.5)', 'POWER(2, 10)', 'SQRT(d)', 'SQRT(i)',
  'LN(d)', 'LOG10(d)', 'LOG2(d)', 'LOG(d)', 'LOG(2, d)', 'EXP(i)', 'EXP(1)', 'CEIL(d)', 'FLOOR(d)', 'CEIL(dc)', 'FLOOR(dc)', 'CEIL(i)', 'FLOOR(-d)',
  'SIN(d)', 'COS(d)', 'TAN(d)', 'COT(d)', 'ASIN(f)', 'ACOS(f)', 'ATAN(d)', 'ATAN2(d, i)', 'SINH(d)', 'COSH(f)', 'TANH(d)',
  'DEGREES(d)', 'RADIANS(d)', 'SIGN(i)', 'SIGN(d)', 'SIGN(dc)', 'ROUND(d)', 'ROUND(d, 1)', 'ROUND(dc, 1)', 'ROUND(dc)', 'ROUND(i, -1)',
  'ROUND(2.5)', 'ROUND(-2.5)', 'ROUND(1.005, 2)', 'TRUNCATE(d, 0)', 'TRUNCATE(dc, 1)', 'TRUNCATE(i, -1)', 'PI()', 'E()',
  'BIN(i)', 'HEX(i)', 'HEX(s)', 'UNHEX(HEX(s))', 'i + NULL', 'CAST(NULL AS INT) * 2',
];

const STRING = [
  "s || '!'", "s || s2", "'a' || NULL", 'CHAR_LENGTH(s)', 'CHARACTER_LENGTH(s)', 'UPPER(s)', 'LOWER(s)', "POSITION('o' IN s)", 'POSITION(s2 IN s)',
  'TRIM(s)', "TRIM(BOTH ' ' FROM s)", "TRIM(LEADING ' ' FROM s)", "TRIM(TRAILING ' ' FROM s)", "TRIM(BOTH 'd' FROM s)", 'LTRIM(s)', 'RTRIM(s)',
  "LTRIM(s, ' pH')", 'BTRIM(s)', 'REPEAT(s2, 3)', 'REPEAT(s2, 0)', "REGEXP_REPLACE(s, 'o', '0')", "REGEXP_REPLACE(s, '[aeiou]', '')",
  "OVERLAY(s PLACING 'XX' FROM 2)", "OVERLAY(s PLACING 'XX' FROM 2 FOR 3)", 'SUBSTRING(s, 2)', 'SUBSTRING(s, 2, 3)', 'SUBSTRING(s FROM 3 FOR 2)',
  'SUBSTRING(s, 0, 2)', 'SUBSTRING(s, -3)', 'SUBSTRING(s, 20)', 'SUBSTR(s, 2, 3)', "REPLACE(s, 'l', 'L')", "REPLACE(s, '', 'x')",
  "REGEXP_EXTRACT(s, '([A-Z])[a-z]+', 1)", "REGEXP_EXTRACT(s, 'W(o)', 0)", "REGEXP_EXTRACT_ALL(s, '[a-z]+')", "REGEXP_COUNT(s, 'l')",
  "REGEXP_INSTR(s, 'o')", "REGEXP_SUBSTR(s, 'W[a-z]+')", "TRANSLATE(s, 'lo', 'LO')", 'INITCAP(s)', "INITCAP('hello wORLD')",
  "CONCAT(s, '-', s2)", 'CONCAT(s, NULL)', "CONCAT_WS('-', s, s2)", "CONCAT_WS('-', s, NULL, s2)", "LPAD(s2, 5, '*')", "RPAD(s2, 5, '*')",
  "LPAD(s, 3, '*')", 'TO_BASE64(s)', 'FROM_BASE64(TO_BASE64(s))', 'ASCII(s)', 'CHR(i + 60)', 'INSTR(s, s2)', "INSTR(s, 'o')",
  'LEFT(s, 3)', 'RIGHT(s, 3)', 'LEFT(s, -1)', "LOCATE('o', s)", "LOCATE('o', s, 6)", "URL_ENCODE('a b&c=d/é')", "URL_DECODE('a%20b%26c')",
  "PARSE_URL('http://example.com/p/a?k=v&x=1#frag', 'HOST')", "PARSE_URL('http://example.com/p/a?k=v&x=1#frag', 'QUERY', 'k')",
  "REGEXP(s, 'W.r')", 'REVERSE(s)', "SPLIT_INDEX(s, ' ', 1)", "SPLIT_INDEX(s, ' ', 5)", "STR_TO_MAP('a=1,b=2')", "ELT(2, 'x', 'y', 'z')",
  "STARTSWITH(s, 'He')", "ENDSWITH(s, 'ld')", "PRINTF('%s-%d', s2, i)", "JSON_QUOTE(s)", "JSON_UNQUOTE('\"a\\\\tb\"')",
  "DECODE(ENCODE(s, 'UTF-8'), 'UTF-8')", 'UPPER(s2)', "s LIKE CONCAT('%', s2, '%')", 'LOWER(UPPER(s))', "CHAR_LENGTH(s || s)",
];

const TEMPORAL = [
  "DATE '2024-01-31'", "TIME '12:34:56'", "TIMESTAMP '2024-01-31 12:34:56.789'", "TIMESTAMP '2024-01-31 12:34:56'", 'ts', 'dt', 'tm',
  'EXTRACT(YEAR FROM ts)', 'EXTRACT(MONTH FROM ts)', 'EXTRACT(DAY FROM ts)', 'EXTRACT(HOUR FROM ts)', 'EXTRACT(MINUTE FROM ts)', 'EXTRACT(SECOND FROM ts)',
  'EXTRACT(MILLISECOND FROM ts)', 'EXTRACT(QUARTER FROM ts)', 'EXTRACT(WEEK FROM ts)', 'EXTRACT(DOW FROM ts)', 'EXTRACT(DOY FROM ts)',
  'EXTRACT(YEAR FROM dt)', 'YEAR(ts)', 'QUARTER(ts)', 'MONTH(ts)', 'WEEK(ts)', 'DAYOFYEAR(ts)', 'DAYOFMONTH(ts)', 'DAYOFWEEK(ts)', 'HOUR(ts)',
  'MINUTE(ts)', 'SECOND(ts)', 'YEAR(dt)', 'MONTH(dt)', 'DAYOFWEEK(dt)',
  'FLOOR(ts TO SECOND)', 'FLOOR(ts TO MINUTE)', 'FLOOR(ts TO HOUR)', 'FLOOR(ts TO DAY)', 'FLOOR(ts TO WEEK)', 'FLOOR(ts TO MONTH)', 'FLOOR(ts TO QUARTER)',
  'FLOOR(ts TO YEAR)', 'CEIL(ts TO SECOND)', 'CEIL(ts TO HOUR)', 'CEIL(ts TO DAY)', 'CEIL(ts TO MONTH)', 'CEIL(ts TO YEAR)', 'FLOOR(dt TO MONTH)',
  "DATE_FORMAT(ts, 'yyyy-MM-dd')", "DATE_FORMAT(ts, 'yyyy/MM/dd HH:mm:ss.SSS')", "DATE_FORMAT(ts, 'HH:mm')", "DATE_FORMAT(ts, 'yy-M-d')",
  "DATE_FORMAT('2024-01-31 10:15:30', 'yyyyMMdd')",
  'TIMESTAMPADD(SECOND, 30, ts)', 'TIMESTAMPADD(MINUTE, -90, ts)', 'TIMESTAMPADD(HOUR, 25, ts)', 'TIMESTAMPADD(DAY, 1, ts)', 'TIMESTAMPADD(WEEK, 1, ts)',
  'TIMESTAMPADD(MONTH, 1, ts)', 'TIMESTAMPADD(MONTH, -1, ts)', 'TIMESTAMPADD(QUARTER, 1, ts)', 'TIMESTAMPADD(YEAR, 1, ts)', 'TIMESTAMPADD(MONTH, i, ts)',
  'TIMESTAMPADD(DAY, 1, dt)', 'TIMESTAMPADD(MONTH, 1, dt)',
  "TIMESTAMPDIFF(SECOND, ts, TIMESTAMP '2024-02-01 00:00:00')", "TIMESTAMPDIFF(MINUTE, ts, TIMESTAMP '2024-02-01 00:00:00')",
  "TIMESTAMPDIFF(HOUR, ts, TIMESTAMP '2024-02-01 00:00:00')", "TIMESTAMPDIFF(DAY, ts, TIMESTAMP '2024-02-01 00:00:00')",
  "TIMESTAMPDIFF(WEEK, ts, TIMESTAMP '2024-02-01 00:00:00')", "TIMESTAMPDIFF(MONTH, ts, TIMESTAMP '2024-03-01 00:00:00')",
  "TIMESTAMPDIFF(QUARTER, ts, TIMESTAMP '2024-03-01 00:00:00')", "TIMESTAMPDIFF(YEAR, ts, TIMESTAMP '2024-03-01 00:00:00')",
  "TIMESTAMPDIFF(DAY, dt, DATE '2024-03-01')",
  "ts + INTERVAL '1' DAY", "ts - INTERVAL '90' SECOND", "ts + INTERVAL '1' MONTH", "ts + INTERVAL '2' YEAR", "ts - INTERVAL '1' MONTH",
  "ts + INTERVAL '1:30' MINUTE TO SECOND", "ts + INTERVAL '1 02:00:00' DAY TO SECOND", "dt + INTERVAL '1' DAY", "dt + INTERVAL '1' MONTH",
  "tm + INTERVAL '1' HOUR",
  "CONVERT_TZ('2024-01-31 10:15:30', 'UTC', 'Asia/Tokyo')", 'FROM_UNIXTIME(1706696130)', "FROM_UNIXTIME(1706696130, 'yyyy-MM-dd')",
  "UNIX_TIMESTAMP('2024-01-31 10:15:30')", "UNIX_TIMESTAMP('2024/01/31', 'yyyy/MM/dd')", "TO_DATE('2024-01-31')", "TO_DATE('31.01.2024', 'dd.MM.yyyy')",
  "TO_TIMESTAMP('2024-01-31 10:15:30')", "TO_TIMESTAMP('31.01.2024 10:15', 'dd.MM.yyyy HH:mm')", 'TO_TIMESTAMP(s)',
  'TO_TIMESTAMP_LTZ(1706696130123, 3)', 'TO_TIMESTAMP_LTZ(1706696130, 0)', 'CURRENT_TIMESTAMP IS NOT NULL', 'CURRENT_DATE IS NOT NULL',
  'LOCALTIMESTAMP IS NOT NULL', 'NOW() IS NOT NULL', 'CURRENT_TIME IS NOT NULL',
  "(TIMESTAMP '2024-01-01 00:00:00', INTERVAL '2' HOUR) OVERLAPS (TIMESTAMP '2024-01-01 01:00:00', INTERVAL '2' HOUR)",
  'CAST(ts AS DATE)', 'CAST(ts AS TIME)', 'CAST(dt AS TIMESTAMP)', 'CAST(ts AS TIMESTAMP(0))', 'CAST(ts AS TIMESTAMP_LTZ(3))',
];

const CONDITIONAL = [
  "CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero' END", "CASE WHEN i > 0 THEN 'pos' END", "CASE i WHEN 7 THEN 'seven' WHEN 0 THEN 'zero' ELSE 'other' END",
  'CASE WHEN b THEN i ELSE d END', 'CASE WHEN b THEN 1 ELSE NULL END', 'CASE WHEN i > 0 THEN dc ELSE 0 END', 'NULLIF(i, 0)', 'NULLIF(s, \'\')',
  "COALESCE(s, 'none')", 'COALESCE(i, bi, 0)', 'COALESCE(NULL, d)', "IF(i > 0, 'pos', 'nonpos')", 'IF(b, i, -i)', "IFNULL(s, 'x')", 'IFNULL(i, 0)',
  'IS_ALPHA(s)', 'IS_DECIMAL(n)', 'IS_DIGIT(n)', 'GREATEST(i, 0)', 'GREATEST(i, ti, si)', 'LEAST(d, 1.0)', "GREATEST(s, s2)", 'LEAST(i, NULL)',
  'CASE WHEN i / 0 > 1 THEN 1 ELSE 2 END', 'CASE WHEN i > 0 THEN 1 / 0 ELSE 0 END',
];

const CONVERSION = [
  'CAST(i AS STRING)', 'CAST(bi AS STRING)', 'CAST(d AS STRING)', 'CAST(f AS STRING)', 'CAST(dc AS STRING)', 'CAST(b AS STRING)', 'CAST(ts AS STRING)',
  'CAST(dt AS STRING)', 'CAST(tm AS STRING)', 'CAST(ti AS STRING)', 'CAST(d AS INT)', 'CAST(d AS BIGINT)', 'CAST(dc AS INT)', 'CAST(f AS INT)',
  'CAST(bi AS INT)', 'CAST(i AS SMALLINT)', 'CAST(i AS TINYINT)', 'CAST(si AS TINYINT)', 'CAST(i AS DOUBLE)', 'CAST(i AS FLOAT)', 'CAST(i AS DECIMAL(10, 2))',
  'CAST(d AS DECIMAL(5, 1))', 'CAST(d AS DECIMAL(10, 3))', 'CAST(dc AS DECIMAL(4, 1))', 'CAST(dc AS DOUBLE)', 'CAST(i AS BOOLEAN)', 'CAST(d AS BOOLEAN)',
  'CAST(n AS INT)', 'CAST(n AS DOUBLE)', 'CAST(n AS DECIMAL(5, 2))', 'CAST(n AS BIGINT)', "CAST('true' AS BOOLEAN)", 'CAST(s AS BOOLEAN)',
  "CAST('2024-01-31' AS DATE)", "CAST('2024-01-31 10:15:30' AS TIMESTAMP)", "CAST('2024-01-31 10:15:30.5' AS TIMESTAMP(3))", "CAST('10:15:30' AS TIME)",
  'CAST(s AS VARCHAR(3))', 'CAST(s AS CHAR(3))', 'CAST(b AS INT)', 'CAST(NULL AS STRING)', 'CAST(ts AS BIGINT)',
  'TRY_CAST(n AS INT)', 'TRY_CAST(n AS DOUBLE)', 'TRY_CAST(s AS INT)', 'TRY_CAST(s AS DATE)', "TRY_CAST('2024-02-30' AS DATE)", 'TRY_CAST(d AS INT)',
  'TRY_CAST(i AS STRING)', 'TRY_CAST(bi AS INT)', "TYPEOF(i)", 'TYPEOF(dc)', 'TYPEOF(s)', "TYPEOF(ts)", 'TYPEOF(d + i)', 'TYPEOF(dc * dc)',
  'TYPEOF(i / 2)', 'TYPEOF(dc + i)', 'TYPEOF(ti + si)', 'TYPEOF(CAST(1 AS DECIMAL(5, 2)) / 3)', 'TYPEOF(f * d)', 'TYPEOF(AVG(i) OVER ())',
];

const COLLECTION = [
  'ARRAY[i, 1, 2]', 'CARDINALITY(ARRAY[i, 1, 2])', 'ARRAY[i, 1, 2][1]', 'ARRAY[s, s2]', "MAP['k', i]", "MAP['k', i]['k']", "CARDINALITY(MAP['k', i, 'j', 0])",
  'ELEMENT(ARRAY[i])', 'ARRAY_APPEND(ARRAY[1, 2], i)', 'ARRAY_PREPEND(ARRAY[1, 2], i)', 'ARRAY_CONTAINS(ARRAY[1, 7], i)', 'ARRAY_DISTINCT(ARRAY[i, i, 1])',
  'ARRAY_POSITION(ARRAY[1, 7], i)', 'ARRAY_REMOVE(ARRAY[i, 1, i], i)', 'ARRAY_REVERSE(ARRAY[i, 1, 2])', 'ARRAY_SLICE(ARRAY[1, 2, 3, 4], 2, 3)',
  'ARRAY_SORT(ARRAY[3, i, 1])', 'ARRAY_UNION(ARRAY[1, 2], ARRAY[i, 2])', 'ARRAY_CONCAT(ARRAY[1], ARRAY[i])', 'ARRAY_MAX(ARRAY[i, 3])', 'ARRAY_MIN(ARRAY[i, 3])',
  "ARRAY_JOIN(ARRAY[s, s2], '|')", "ARRAY_JOIN(ARRAY[s, s2], '|', 'null')", "SPLIT(s, ' ')", "MAP_KEYS(MAP['a', 1, 'b', 2])", "MAP_VALUES(MAP['a', i, 'b', 2])",
  "MAP_ENTRIES(MAP['a', i])", "MAP_UNION(MAP['a', 1], MAP['a', i])", "MAP_FROM_ARRAYS(ARRAY['a', 'b'], ARRAY[i, 2])",
];

const JSON_FUNCTIONS = [
  'js IS JSON', 'js IS JSON VALUE', 'js IS JSON SCALAR', 'js IS JSON ARRAY', 'js IS JSON OBJECT', 'js IS NOT JSON', "JSON_EXISTS(js, '$.a')",
  "JSON_EXISTS(js, '$.c.d')", "JSON_EXISTS(js, '$[1]')", "JSON_VALUE(js, '$.a')", "JSON_VALUE(js, '$.c.d')", "JSON_VALUE(js, '$.a' RETURNING INT)",
  "JSON_VALUE(js, '$.b')", "JSON_VALUE(js, '$.zz' DEFAULT 'none' ON EMPTY)", "JSON_VALUE(js, '$[1]')", "JSON_VALUE(js, '$')",
  "JSON_QUERY(js, '$.b')", "JSON_QUERY(js, '$.c')", "JSON_QUERY(js, '$.a')", "JSON_QUERY(js, '$.b' WITH WRAPPER)", "JSON_QUERY(js, '$')",
  'JSON_STRING(i)', 'JSON_STRING(s)', 'JSON_STRING(d)', 'JSON_STRING(b)', "JSON_OBJECT('k' VALUE i)", "JSON_OBJECT('k' VALUE s, 'n' VALUE i ABSENT ON NULL)",
  "JSON_OBJECT('k' VALUE s NULL ON NULL)", "JSON_OBJECT('a' VALUE JSON_ARRAY(1, 2))", 'JSON_ARRAY(i, s, b)', 'JSON_ARRAY(i NULL ON NULL)', 'JSON_ARRAY()',
  "JSON_OBJECT('t' VALUE ts, 'd' VALUE dc)",
];

/** More paths of the functions of builtins-conditional/-temporal/-text/-json.ts than their first cases above take. */
// The JSON predicates and clauses the grammar lacks, which parse-sql.ts reads around it.
// JSON_VALUE / JSON_QUERY / JSON_EXISTS clauses: strict paths (the default) and lax ones, RETURNING, ON EMPTY and ON
// ERROR with each behaviour, the wrappers, numbers as Jackson reads and writes them, sorted keys, and what Flink refuses.
const JSON_CLAUSES = [
  'js IS NOT JSON OBJECT', 'js IS NOT JSON SCALAR', 'js IS NOT JSON ARRAY', 'js IS NOT JSON VALUE', 's IS NOT JSON', 'NOT (js IS NOT JSON)',
  "JSON_VALUE(js, 'lax $.zz' DEFAULT 'none' ON EMPTY)", "JSON_VALUE(js, '$.zz' DEFAULT 'none' ON ERROR)", "JSON_VALUE(js, 'lax $.b' DEFAULT 'arr' ON EMPTY)",
  "JSON_VALUE(js, '$.b' DEFAULT 'arr' ON ERROR)", "JSON_VALUE(js, 'lax $.a' RETURNING STRING NULL ON EMPTY DEFAULT 'bad' ON ERROR)",
  "JSON_VALUE(js, 'lax $[1]' DEFAULT 'e' ON EMPTY DEFAULT 'x' ON ERROR)", "JSON_VALUE(js, 'strict $[1]' DEFAULT 'e' ON EMPTY DEFAULT 'x' ON ERROR)",
  "JSON_VALUE(js, '$.a' RETURNING INT DEFAULT 0 ON ERROR)", "JSON_VALUE(js, 'lax $.a' RETURNING INT DEFAULT -1 ON EMPTY)",
  "JSON_VALUE('{\"d\":1.50}', '$.d' RETURNING DOUBLE)", "JSON_VALUE('{\"d\":1.50}', '$.d')", "JSON_VALUE('{\"d\":1e3}', '$.d')",
  "JSON_VALUE('{\"b\":true}', '$.b' RETURNING BOOLEAN)", "JSON_VALUE('{\"n\":null}', '$.n' DEFAULT 'nul' ON EMPTY)",
  "JSON_VALUE(js, 'lax $.c.d' RETURNING VARCHAR(10))", "JSON_VALUE(js, '$.a' ERROR ON ERROR)", "JSON_VALUE(js, '$.a' RETURNING BIGINT)",
  "JSON_VALUE('{\"d\":2}', '$.d' RETURNING DOUBLE)", "JSON_VALUE(js, '$.a' RETURNING INT) + 1",
  "JSON_QUERY(js, '$.b' WITH CONDITIONAL ARRAY WRAPPER)", "JSON_QUERY(js, '$.a' WITH UNCONDITIONAL ARRAY WRAPPER)", "JSON_QUERY(js, '$.c' WITHOUT ARRAY WRAPPER)",
  "JSON_QUERY(js, 'lax $.a' EMPTY ARRAY ON EMPTY)", "JSON_QUERY(js, '$.a' EMPTY OBJECT ON ERROR)", "JSON_QUERY(js, 'lax $.zz' EMPTY OBJECT ON EMPTY EMPTY ARRAY ON ERROR)",
  "JSON_QUERY(js, '$' RETURNING ARRAY<STRING>)", "JSON_QUERY(js, 'lax $.b' RETURNING ARRAY<STRING> EMPTY ARRAY ON EMPTY)",
  "JSON_QUERY('{\"z\":1,\"a\":[1.0,{\"y\":2,\"b\":null}],\"e\":2e3}', '$')", "JSON_QUERY(js, 'strict $.c' NULL ON EMPTY ERROR ON ERROR)",
  "CARDINALITY(JSON_QUERY(js, '$.b' RETURNING ARRAY<STRING>))",
  "JSON_EXISTS(js, '$.zz' TRUE ON ERROR)", "JSON_EXISTS(js, '$.zz' UNKNOWN ON ERROR)", "JSON_EXISTS(js, 'lax $.zz' TRUE ON ERROR)",
  "JSON_EXISTS('{\"a\":null}', '$.a')", "JSON_EXISTS(js, 'lax $.b[1]')",
];

// (a, b) OVERLAPS (c, d): an interval or an end point second, end points in either order, touching periods, NULLs.
const OVERLAPS = [
  "(ts, INTERVAL '1' HOUR) OVERLAPS (TIMESTAMP '2024-01-31 10:00:00', INTERVAL '1' HOUR)",
  "(ts, ts + INTERVAL '1' SECOND) OVERLAPS (ts + INTERVAL '1' SECOND, INTERVAL '1' SECOND)",
  "(TIMESTAMP '2024-01-01 03:00:00', TIMESTAMP '2024-01-01 01:00:00') OVERLAPS (TIMESTAMP '2024-01-01 02:00:00', INTERVAL '10' MINUTE)",
  "(TIMESTAMP '2024-01-01 00:00:00', INTERVAL '1' HOUR) OVERLAPS (TIMESTAMP '2024-01-01 02:00:00', INTERVAL '1' HOUR)",
  "(dt, DATE '2000-06-01') OVERLAPS (DATE '2000-01-01', DATE '2000-02-01')",
];

const FUNCTION_EDGES = [
  "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'PATH')", "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'REF')",
  "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'PROTOCOL')", "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'FILE')",
  "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'AUTHORITY')", "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'USERINFO')",
  "PARSE_URL('http://user@example.com:8080/p/a?k=v&x=1#frag', 'HOST')", "PARSE_URL('http://example.com/p/a?k=v&x=1#frag', 'QUERY')",
  "PARSE_URL('http://example.com/p', 'QUERY', 'k')", "PARSE_URL(s, 'HOST')",
  "PRINTF('%5d|%-5s|%05.1f', i, s2, d)", "PRINTF('%x %X %o', i, i, i)", "PRINTF('%b %%', b)", "PRINTF('%,d', bi)", "PRINTF('%.3s', s)",
  "PRINTF('%e', d)", "PRINTF('%+d', i)",
  "CONVERT_TZ('2024-07-01 12:00:00', 'Europe/Berlin', 'America/New_York')", "CONVERT_TZ('2024-03-31 02:30:00', 'UTC', 'Europe/Berlin')",
  "CONVERT_TZ(CAST(ts AS STRING), 'UTC', 'Asia/Kolkata')", 'FROM_UNIXTIME(bi)', "FROM_UNIXTIME(i, 'yyyy-MM-dd HH:mm')", 'UNIX_TIMESTAMP(s)',
  'TO_DATE(s)', 'TO_DATE(CAST(dt AS STRING))', 'TO_TIMESTAMP_LTZ(bi, 0)', 'TO_TIMESTAMP_LTZ(i, 3)', 'WEEK(dt)', 'QUARTER(dt)', 'DAYOFYEAR(dt)',
  'HOUR(tm)', 'EXTRACT(DOW FROM dt)',
  'GREATEST(dc, 1)', "LEAST(dt, DATE '2000-01-01')", "GREATEST(ts, TIMESTAMP '2000-01-01 00:00:00')", 'IFNULL(dc, 0)', "NULLIF(s2, 'a')",
  'NULLIF(d, 12.5)', 'IS_ALPHA(s2)', 'IS_DIGIT(s)', 'IS_DECIMAL(s)', "IS_DECIMAL('1e3')", "IS_DECIMAL('.5')",
  'TRUNCATE(d, 1)', 'TRUNCATE(d)', 'TRUNCATE(dc)', 'TRUNCATE(bi, -3)', 'HEX(bi)', 'BIN(bi)', 'HEX(ti)', "UNHEX('ABC')", "UNHEX('zz')",
  "DECODE(UNHEX('48656C6C6F'), 'UTF-8')", "ENCODE(s2, 'ISO-8859-1')", "REGEXP_COUNT(s, '[a-z]+')", "REGEXP_INSTR(s, 'l+')", "REGEXP_SUBSTR(s, 'x')",
  'URL_ENCODE(s)', "URL_DECODE('100%')", 'URL_DECODE(URL_ENCODE(s))', "ELT(i, 'a', 'b')", "ELT(0, 'a')",
  "JSON_VALUE(js, '$.b[1]')", "JSON_QUERY(js, '$.b[0]')", "JSON_EXISTS(js, '$.b[5]')", "JSON_VALUE('{\"a\":true}', '$.a')",
  "JSON_VALUE('{\"a\":{\"b\":[10,20]}}', '$.a.b[1]')", "JSON_QUERY('{\"a\":{\"b\":\"x\"}}', '$.a')", 'JSON_STRING(dc)', 'JSON_STRING(bi)',
  'JSON_ARRAY(d, s2)', "JSON_QUOTE('a\"b/c')", 'JSON_UNQUOTE(s)', "JSON_UNQUOTE('\"bad')",
  'TYPEOF(b)', 'TYPEOF(dt)', 'TYPEOF(tm)', 'TYPEOF(bi)', 'TYPEOF(1)', "TYPEOF('x')", 'TYPEOF(NULLIF(i, 0))', "TYPEOF(IFNULL(s, 'x'))",
  'TYPEOF(GREATEST(i, bi))', 'TYPEOF(TRUNCATE(dc, 1))', "TYPEOF(JSON_VALUE(js, '$.a'))", 'TYPEOF(CAST(i AS BIGINT))',
];

const VALUE = ['ROW(i, s)', 'ROW(i, s).EXPR$0', '(i, s2)', 'ARRAY[ROW(i, s)]', "MAP[s2, ARRAY[i]]", 'CAST(ROW(i, s) AS ROW<a INT, b STRING>)'];

const HASH = ['MD5(s)', 'SHA1(s)', 'SHA224(s)', 'SHA256(s)', 'SHA384(s)', 'SHA512(s)', 'SHA2(s, 256)', 'SHA2(s, 512)', "MD5('')", 'MD5(CAST(i AS STRING))'];

const AGGREGATE = [
  'SELECT COUNT(*) FROM t', 'SELECT COUNT(i), COUNT(s), COUNT(DISTINCT b) FROM t', 'SELECT SUM(i), SUM(bi), SUM(d), SUM(dc) FROM t', 'SELECT SUM(ti), SUM(si) FROM t',
  'SELECT AVG(i), AVG(d), AVG(dc), AVG(ti) FROM t', 'SELECT MIN(i), MAX(i), MIN(s), MAX(s), MIN(ts), MAX(dt) FROM t', 'SELECT MIN(b), MAX(b) FROM t',
  'SELECT STDDEV_POP(d), STDDEV_SAMP(d), VAR_POP(d), VAR_SAMP(d) FROM t', 'SELECT VARIANCE(i), STDDEV(i) FROM t', 'SELECT COLLECT(i) FROM t',
  "SELECT LISTAGG(s2) FROM t", "SELECT LISTAGG(s2, ';') FROM t", 'SELECT ARRAY_AGG(i) FROM t', 'SELECT FIRST_VALUE(i), LAST_VALUE(i) FROM t',
  'SELECT b, COUNT(*) AS c, SUM(i) AS s FROM t GROUP BY b', 'SELECT b, AVG(d) FROM t GROUP BY b HAVING COUNT(*) > 1',
  'SELECT k, COUNT(*), SUM(v), MIN(v), MAX(v), AVG(v) FROM ev GROUP BY k', 'SELECT k, COUNT(DISTINCT v) FROM ev GROUP BY k',
  'SELECT v % 3 AS m, COUNT(*) FROM ev GROUP BY v % 3', 'SELECT JSON_OBJECTAGG(KEY s2 VALUE i) FROM t WHERE s2 IS NOT NULL', 'SELECT JSON_ARRAYAGG(i) FROM t',
  'SELECT SUM(i) FILTER (WHERE b) FROM t', 'SELECT SUM(d) / COUNT(*) FROM t', 'SELECT COUNT(*) FROM t WHERE i > 100',
  'SELECT SUM(v) FROM ev WHERE v > 1000', 'SELECT k, LISTAGG(CAST(v AS STRING)) FROM (SELECT * FROM ev WHERE id < 6) GROUP BY k',
  'SELECT b, s2, COUNT(*) FROM t GROUP BY GROUPING SETS ((b), (s2))', 'SELECT b, COUNT(*) FROM t GROUP BY ROLLUP (b)',
];

// GROUPING SETS, ROLLUP and CUBE (Flink's Expand): NULL keys beside rolled-up ones, GROUPING / GROUPING_ID, an
// aggregate of a key column (it reads the column, not the rolled-up NULL), expressions as keys, plain keys beside
// ROLLUP, nested and repeated sets, HAVING, an updating input, a window aggregate, a join below.
const GROUPING_SETS = [
  'SELECT b, s2, COUNT(*) AS c FROM t GROUP BY GROUPING SETS ((b, s2), (b), ())',
  'SELECT k, COUNT(*) AS c, SUM(v) AS s, GROUPING(k) AS g FROM ev GROUP BY ROLLUP (k)',
  'SELECT b, s2, COUNT(i) AS c, GROUPING_ID(b, s2) AS gid, GROUPING(s2) AS gs, GROUPING(s2, b) AS g2 FROM t GROUP BY CUBE (b, s2)',
  'SELECT b, COUNT(b) AS cb, MAX(i) AS m, MIN(b) AS mb FROM t GROUP BY ROLLUP (b)',
  'SELECT v % 3 AS m, k, COUNT(*) AS c FROM ev GROUP BY GROUPING SETS ((v % 3), (k))',
  'SELECT k, UPPER(k) AS u, COUNT(*) AS c FROM ev GROUP BY ROLLUP (k)',
  'SELECT k, big, COUNT(*) AS c FROM (SELECT k, v > 50 AS big FROM ev) GROUP BY k, ROLLUP (big)',
  'SELECT k, COUNT(*) AS c FROM ev GROUP BY ROLLUP (k) HAVING GROUPING(k) = 1 OR COUNT(*) > 3000',
  'SELECT c, COUNT(*) AS n, SUM(c) AS s FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY ROLLUP (c)',
  'SELECT b, GROUPING(b) AS g, COUNT(*) AS c FROM t GROUP BY b',
  'SELECT GROUPING(k) AS g, COUNT(*) AS c FROM ev GROUP BY GROUPING SETS ((k), ())',
  'SELECT b, COUNT(*) AS c FROM t GROUP BY GROUPING SETS ((b), (b), ())',
  'SELECT b, s2, COUNT(*) AS c FROM t GROUP BY GROUPING SETS (b, ROLLUP (s2))',
  'SELECT b, s2, COUNT(*) AS c FROM t GROUP BY (b, s2)',
  'SELECT d.name, e.k, COUNT(*) AS c FROM ev e JOIN dim d ON e.k = d.k GROUP BY CUBE (d.name, e.k)',
  "SELECT window_start, k, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, GROUPING SETS ((k), ())",
  "SELECT k, TUMBLE_START(ts, INTERVAL '5' MINUTE) AS ws, COUNT(*) AS c FROM ev GROUP BY TUMBLE(ts, INTERVAL '5' MINUTE), ROLLUP (k)",
  'SELECT k, GROUPING(v) AS g FROM ev GROUP BY ROLLUP (k)',
];

// The aggregate functions beyond SUM/COUNT/AVG/MIN/MAX and the FILTER clause, on append input, on updating input
// (retraction) and in windows, with NULL arguments and groups with one row (VAR_SAMP is NULL there).
const AGG_FUNCTIONS = [
  'SELECT k, STDDEV_POP(v), STDDEV_SAMP(v), VAR_POP(v), VAR_SAMP(v), STDDEV(v), VARIANCE(v) FROM ev GROUP BY k',
  'SELECT k, STDDEV_POP(CAST(v AS DOUBLE)), VAR_SAMP(CAST(v AS DOUBLE)) FROM ev WHERE id < 500 GROUP BY k',
  'SELECT b, VAR_SAMP(i), STDDEV_POP(d), VAR_POP(ti) FROM t GROUP BY b',
  'SELECT STDDEV_SAMP(c), VAR_POP(c) FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)',
  'SELECT FIRST_VALUE(s), LAST_VALUE(s), FIRST_VALUE(b), LAST_VALUE(ts), LAST_VALUE(d) FROM t',
  'SELECT k, FIRST_VALUE(id), LAST_VALUE(id), FIRST_VALUE(CASE WHEN v > 80 THEN v END) FROM ev WHERE id < 300 GROUP BY k',
  "SELECT LISTAGG(s), LISTAGG(s, ''), LISTAGG(n, '-') FROM t",
  "SELECT b, LISTAGG(s2, '|') FROM t GROUP BY b",
  'SELECT JSON_ARRAYAGG(s), JSON_ARRAYAGG(s NULL ON NULL), JSON_ARRAYAGG(d), JSON_ARRAYAGG(b ABSENT ON NULL) FROM t',
  'SELECT JSON_ARRAYAGG(ts), JSON_ARRAYAGG(JSON_OBJECT(KEY \'i\' VALUE i)), JSON_ARRAYAGG(JSON_ARRAY(i, s2)) FROM t',
  'SELECT JSON_ARRAYAGG(dt) FROM t',
  "SELECT JSON_OBJECTAGG(KEY s2 VALUE s), JSON_OBJECTAGG(KEY s2 VALUE n ABSENT ON NULL), JSON_OBJECTAGG(s2 VALUE b NULL ON NULL) FROM t WHERE s2 IS NOT NULL",
  'SELECT JSON_OBJECTAGG(KEY k VALUE c) FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)',
  "SELECT LISTAGG(k), FIRST_VALUE(c), LAST_VALUE(c), JSON_ARRAYAGG(c), LISTAGG(CAST(c AS STRING)) FROM (SELECT k, COUNT(*) AS c FROM ev WHERE k = 'late' GROUP BY k)",
  'SELECT k, COUNT(*) FILTER (WHERE v > 50), SUM(v) FILTER (WHERE v > 50), COUNT(*), MAX(v) FILTER (WHERE v < 0) FROM ev GROUP BY k',
  'SELECT COUNT(DISTINCT k) FILTER (WHERE v > 85), AVG(v) FILTER (WHERE k = \'a\'), MIN(id) FILTER (WHERE v IS NULL) FROM ev',
  'SELECT COUNT(*) FILTER (WHERE b), SUM(i) FILTER (WHERE i > 0), LISTAGG(s2) FILTER (WHERE b IS NOT NULL), COUNT(*) FILTER (WHERE NOT b) FROM t',
  'SELECT c, COUNT(*) FILTER (WHERE c > 2990), SUM(c) FILTER (WHERE k <> \'a\') FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY c',
  "SELECT window_start, k, COUNT(*) FILTER (WHERE v > 50) AS c, LISTAGG(CAST(id AS STRING), '|') AS ids, FIRST_VALUE(v) AS f, LAST_VALUE(v) AS l, STDDEV_POP(v) AS sd FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND)) WHERE id < 100 GROUP BY window_start, window_end, k",
  "SELECT k, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, VAR_SAMP(v) AS vs, LISTAGG(CAST(v AS STRING)) FILTER (WHERE v > 87) AS big FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)",
  'SELECT JSON_ARRAYAGG(i) FILTER (WHERE b) FROM t',
  "SELECT k, SESSION_START(ts, INTERVAL '1' SECOND) AS ws, LISTAGG(CAST(v AS STRING)) AS vs, STDDEV_POP(v) AS sd, COUNT(*) FILTER (WHERE v > 87) AS c FROM ev WHERE v > 85 GROUP BY k, SESSION(ts, INTERVAL '1' SECOND)",
  "SELECT k, SESSION_START(ts, INTERVAL '1' SECOND) AS ws, FIRST_VALUE(id) AS f FROM ev WHERE v > 85 GROUP BY k, SESSION(ts, INTERVAL '1' SECOND)",
  "SELECT k, SESSION_START(ts, INTERVAL '1' SECOND) AS ws, JSON_ARRAYAGG(id) AS a, JSON_OBJECTAGG(KEY CAST(id AS STRING) VALUE v) AS o FROM ev WHERE v > 85 GROUP BY k, SESSION(ts, INTERVAL '1' SECOND)",
  'SELECT SUM(v) FILTER (WHERE v > 0) OVER (PARTITION BY k ORDER BY ts) AS s FROM ev',
  'SELECT LISTAGG(v) FROM ev',
  // ARRAY_AGG: NULLs kept (RESPECT NULLS) or left out (IGNORE NULLS), groups, FILTER, an updating input, a window.
  'SELECT b, ARRAY_AGG(s2) AS a FROM t GROUP BY b', 'SELECT ARRAY_AGG(i IGNORE NULLS) AS a, ARRAY_AGG(s RESPECT NULLS) AS r FROM t',
  'SELECT k, ARRAY_AGG(id) AS ids FROM ev WHERE id < 20 GROUP BY k', 'SELECT ARRAY_AGG(i) FILTER (WHERE b) AS a FROM t',
  'SELECT ARRAY_AGG(c) AS cs FROM (SELECT k, COUNT(*) AS c FROM ev WHERE id < 10 GROUP BY k)',
  "SELECT window_start, k, ARRAY_AGG(id) AS ids FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND)) WHERE id < 60 GROUP BY window_start, window_end, k",
  "SELECT CARDINALITY(ARRAY_AGG(v)) AS n FROM ev WHERE k = 'a'", 'SELECT ARRAY_AGG(DISTINCT b) AS a FROM t',
];

const UPDATING = [
  'SELECT c, COUNT(*) AS n FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY c',
  'SELECT MAX(c) FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)',
  'SELECT k, s FROM (SELECT k, SUM(v) AS s FROM ev GROUP BY k) WHERE s > 0',
  'SELECT DISTINCT k FROM ev', 'SELECT COUNT(DISTINCT k) FROM ev', 'SELECT k FROM ev GROUP BY k HAVING SUM(v) > 100',
  'SELECT k, SUM(v) AS s FROM ev GROUP BY k UNION ALL SELECT \'all\', SUM(v) FROM ev',
  'SELECT SUM(s) FROM (SELECT k, SUM(v) AS s FROM ev GROUP BY k)',
];

const WINDOW = [
  "SELECT k, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, COUNT(*) AS c, SUM(v) AS s FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)",
  "SELECT TUMBLE_END(ts, INTERVAL '5' MINUTE) AS we, MAX(v) AS m, MIN(v) AS n FROM ev GROUP BY TUMBLE(ts, INTERVAL '5' MINUTE)",
  "SELECT TUMBLE_ROWTIME(ts, INTERVAL '5' MINUTE) AS rt, COUNT(*) AS c FROM ev GROUP BY TUMBLE(ts, INTERVAL '5' MINUTE)",
  "SELECT k, HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '3' MINUTE) AS ws, COUNT(*) AS c FROM ev GROUP BY k, HOP(ts, INTERVAL '1' MINUTE, INTERVAL '3' MINUTE)",
  "SELECT k, SESSION_START(ts, INTERVAL '1' SECOND) AS ws, SESSION_END(ts, INTERVAL '1' SECOND) AS we, COUNT(*) AS c FROM ev WHERE v > 85 GROUP BY k, SESSION(ts, INTERVAL '1' SECOND)",
  "SELECT window_start, window_end, k, COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, k",
  "SELECT window_start, window_end, COUNT(*) AS c FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end",
  "SELECT window_start, window_end, SUM(v) AS s FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY window_start, window_end",
  "SELECT window_start, window_end, k, COUNT(*) AS c FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE v > 85 GROUP BY window_start, window_end, k",
  "SELECT window_start, COUNT(DISTINCT k) AS dk, AVG(v) AS a FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '3' MINUTE)) GROUP BY window_start, window_end",
  "SELECT k, TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, COUNT(*) AS c FROM ev WHERE k = 'late' GROUP BY k, TUMBLE(ts, INTERVAL '10' SECOND)",
  "SELECT window_start, window_end, k, v, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC, id) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE))) WHERE rn <= 2",
  // A window table function's rows on their own (Flink's WindowTableFunction: one row per window, late rows kept),
  // and aggregates over them that do not group by the window (regular, updating aggregates).
  "SELECT * FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE id < 3",
  "SELECT id, k, window_start, window_end, window_time FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)) WHERE id < 5 OR k = 'late'",
  "SELECT id, window_start, window_end FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE)) WHERE id IN (0, 700, 1300, 105044)",
  "SELECT k, COUNT(*) AS c FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)) GROUP BY k",
  "SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) WHERE k <> 'late' GROUP BY window_start",
];

// OVER aggregates (Flink's streaming OverAggregate): ROWS and RANGE frames, UNBOUNDED PRECEDING, several functions on
// one window, the WINDOW clause, NULL arguments, out-of-order rows, and the 'late' rows an hour behind the
// watermark (dropped by unbounded frames; bounded frames drop only rows not after their key's last processed
// time, so a key of late rows alone keeps them); and what Flink's streaming planner rejects.
const OVER = [
  "SELECT id, k, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id < 50",
  "SELECT id, COUNT(*) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) AS c FROM ev WHERE id < 50",
  'SELECT id, LAG(v) OVER (PARTITION BY k ORDER BY ts) AS prev FROM ev WHERE id < 30',
  "SELECT id, LAG(CASE WHEN v > 50 THEN v END, 2, 0) OVER (PARTITION BY k ORDER BY ts) AS p FROM ev WHERE id < 60",
  "SELECT id, SUM(CASE WHEN v > 50 THEN v END) OVER w AS s, AVG(CASE WHEN v > 50 THEN v END) OVER w AS a, COUNT(CASE WHEN v > 50 THEN v END) OVER w AS c FROM ev WHERE id < 80 WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)",
  "SELECT id, MIN(v) OVER w AS mn, MAX(v) OVER w AS mx, AVG(v) OVER w AS a FROM ev WHERE id < 300 WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW)",
  "SELECT id, k, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id < 200",
  "SELECT id, COUNT(DISTINCT k) OVER (ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS dk, MAX(v) OVER (ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS m FROM ev WHERE id < 100",
  "SELECT id, AVG(CAST(v AS DOUBLE)) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) AS a FROM ev WHERE id < 100",
  "SELECT id, k, COUNT(*) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW) AS c FROM ev WHERE id > 8800",
  "SELECT id, COUNT(*) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS c, SUM(v) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id > 8800",
  "SELECT id, k, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id > 8800",
  "SELECT id, COUNT(*) OVER (ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c FROM ev WHERE id > 8800",
  "SELECT id, s FROM (SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id < 100) WHERE s > 100",
  "SELECT id, LEAD(v) OVER (PARTITION BY k ORDER BY ts) AS nxt FROM ev WHERE id < 30",
  "SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY v ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id < 30",
  "SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts DESC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM ev WHERE id < 30",
  "SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS s FROM ev WHERE id < 30",
  "SELECT id, SUM(i) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t",
  "SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS a, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS b FROM ev WHERE id < 30",
  "SELECT k, c, SUM(c) OVER (ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)",
  // OVER straight on a window table function: ordered by its window_time, and by the original time column.
  "SELECT id, window_start, COUNT(*) OVER (PARTITION BY k ORDER BY window_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE id < 100",
  "SELECT id, window_start, SUM(v) OVER (PARTITION BY window_start ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE id < 100",
];

// Top-N and deduplication (Flink's Rank, Deduplicate, WindowRank): NULL keys and values, ties, ranges not starting
// at 1, updating inputs, window Top-N over a window aggregate and straight over a window table function (late
// rows dropped), and RANK()/DENSE_RANK(), which Flink's streaming planner rejects.
const RANK = [
  'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 3',
  'SELECT k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM ev) WHERE rn = 1',
  'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM ev) WHERE rn = 1',
  'SELECT b, id, i FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY b ORDER BY i DESC) AS rn FROM t) WHERE rn <= 2',
  'SELECT id, s, rn FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY s NULLS LAST) AS rn FROM t) WHERE rn BETWEEN 2 AND 4',
  'SELECT k, v, id, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v, id DESC) AS rn FROM ev WHERE id < 500) WHERE rn > 1 AND rn <= 3',
  'SELECT k, c FROM (SELECT k, c, ROW_NUMBER() OVER (ORDER BY c DESC, k) AS rn FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)) WHERE rn <= 2',
  "SELECT window_start, window_end, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY v DESC, id) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE))) WHERE rn <= 3",
  "SELECT window_start, window_end, window_time, k, id, v, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v, id) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn <= 2",
  "SELECT window_start, k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts DESC) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) WHERE id > 5000) WHERE rn = 1",
  "SELECT window_start, window_end, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY v DESC, id) AS rn FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))) WHERE rn <= 2",
  "SELECT window_start, window_end, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY v DESC, id) AS rn FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE))) WHERE rn <= 1",
  "SELECT window_start, window_end, k, s FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY s DESC) AS rn FROM (SELECT window_start, window_end, k, SUM(v) AS s FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, k)) WHERE rn <= 1",
  'SELECT k, id, v FROM (SELECT *, RANK() OVER (PARTITION BY k ORDER BY v DESC) AS r FROM ev) WHERE r <= 2',
  'SELECT k, id, v FROM (SELECT *, DENSE_RANK() OVER (PARTITION BY k ORDER BY v DESC) AS r FROM ev) WHERE r <= 2',
  "SELECT window_start, id FROM (SELECT *, RANK() OVER (PARTITION BY window_start, window_end ORDER BY v DESC) AS r FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE))) WHERE r <= 2",
  // Window Top-N and window deduplication straight on a window table function: ties (kept in arrival order), a range
  // not starting at 1, keep-first and keep-last on rowtime (ties: the first / the last to arrive), HOP and CUMULATE,
  // the row number selected, a key of late rows only (dropped, their windows fired), and an order by window_time, on
// which every row of a window ties (keep-last keeps the last to arrive, a Top-N the first).
  "SELECT window_start, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY v DESC) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn <= 2",
  "SELECT window_end, k, id, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v, id) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE))) WHERE rn BETWEEN 2 AND 3",
  "SELECT window_start, window_end, k, id, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1",
  "SELECT window_start, window_end, k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts DESC) AS rn FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE))) WHERE rn = 1",
  "SELECT window_start, window_end, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY ts) AS rn FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE))) WHERE rn = 1",
  "SELECT window_start, k, id, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts DESC) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE))) WHERE rn = 1",
  "SELECT window_start, k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE k = 'late' OR id < 200) WHERE rn = 1",
  "SELECT window_start, window_end, k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE id < 1000) WHERE rn <= 1",
  "SELECT window_start, k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY window_time DESC) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1",
  "SELECT window_start, k, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY window_time) AS rn FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1",
];


// CURRENT_WATERMARK(rowtime): NULL before the first watermark, then the watermark the operator has seen (a WHERE that
// drops rows behind it drops exactly the hour-late rows), its type, and what Flink rejects (a column that is no rowtime).
const WATERMARK = [
  'SELECT id, CURRENT_WATERMARK(ts) AS wm FROM ev WHERE id = 0',
  'SELECT k, COUNT(*) AS c FROM ev WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts) GROUP BY k',
  'SELECT id, k FROM ev WHERE ts <= CURRENT_WATERMARK(ts)',
  "WITH w AS (SELECT * FROM ev WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)) SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE w, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end",
  'SELECT id, CURRENT_WATERMARK(ts) FROM t',
  'SELECT id, CURRENT_WATERMARK(v) FROM ev WHERE id = 0',
];

const MISSING = [
  'SELECT e.id, e.k, d.name FROM ev e JOIN dim d ON e.k = d.k WHERE e.id < 20',
  'SELECT e.id, d.name FROM ev e LEFT JOIN dim d ON e.k = d.k WHERE e.id < 10',
  'SELECT d.k, d.name, e.id FROM dim d LEFT JOIN (SELECT * FROM ev WHERE id < 10) e ON e.k = d.k',
  'SELECT d.name, COUNT(*) FROM ev e, dim d WHERE e.k = d.k GROUP BY d.name',
  'SELECT e.id, d.name FROM (SELECT * FROM ev WHERE id < 10) e FULL OUTER JOIN dim d ON e.k = d.k',
  "SELECT a.id, b.id FROM ev a JOIN ev b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '1' SECOND AND b.ts WHERE a.id < 30 AND b.id < 30 AND a.id <> b.id",
  'SELECT s, n FROM t CROSS JOIN UNNEST(ARRAY[1, 2]) AS x(n) WHERE id = 1',
  'SELECT id FROM t WHERE i IN (SELECT w FROM dim)', 'SELECT id FROM t WHERE EXISTS (SELECT 1 FROM dim WHERE dim.w = t.id)',
  'SELECT id, (SELECT MAX(w) FROM dim) FROM t', 'SELECT * FROM t ORDER BY id LIMIT 2',
];

// Correlated scalar subqueries (an aggregate per key, left-joined: COUNT over no rows is 0, an expression of
// aggregates is computed over no rows), in the select list, in WHERE, beside a GROUP BY and over updating inputs;
// IN / EXISTS inside OR, NOT, CASE and the select list (three-valued IN: NULLs on either side, an empty subquery),
// correlated and not; a scalar subquery of more rows than one (Flink's SINGLE_VALUE: its one row, or a failed job);
// and the correlations sluice refuses (a non-equality, a nested one).
const CORRELATED_SCALARS_AND_MARKS = [
  'SELECT id, s2, (SELECT MAX(w) FROM dim WHERE dim.k = t.s2) AS m FROM t',
  'SELECT id, (SELECT COUNT(*) FROM dim WHERE dim.k = t.s2) AS c FROM t',
  'SELECT id, (SELECT COUNT(w) + 1 FROM dim d WHERE d.k = t.s2) AS c FROM t',
  'SELECT id, (SELECT COALESCE(SUM(w), -1) FROM dim d WHERE d.k = t.s2 AND d.w < 3) AS c FROM t',
  'SELECT k, (SELECT AVG(v) FROM ev WHERE ev.k = d.k AND ev.id < 100) AS a FROM dim d',
  'SELECT id, k, v FROM ev e1 WHERE id < 300 AND v > (SELECT AVG(v) + 40 FROM ev e2 WHERE e2.k = e1.k AND e2.id < 1000)',
  'SELECT k, COUNT(*) AS c, (SELECT MAX(w) FROM dim WHERE dim.k = ev.k) AS w FROM ev GROUP BY k',
  "SELECT id, (SELECT MAX(w) FROM dim WHERE UPPER(dim.k) = UPPER(t.s2) AND dim.name = 'alpha') AS m FROM t",
  'SELECT id, (SELECT MIN(w) FROM dim WHERE dim.w = t.id AND dim.k = t.s2) AS m FROM t',
  'SELECT k, c, (SELECT COUNT(*) FROM dim WHERE dim.k = x.k) AS d FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) x',
  'SELECT d.k, (SELECT COUNT(*) FROM ev WHERE ev.k = d.k AND ev.v > 85 AND ev.id < 2000) AS n FROM dim d',
  'SELECT id, (SELECT name FROM dim WHERE dim.k = t.s2) AS n FROM t',
  'SELECT k, (SELECT id FROM ev WHERE ev.k = dim.k) AS i FROM dim',
  'SELECT id, (SELECT w FROM dim) AS w FROM t',
  "SELECT id, (SELECT MAX(v) FROM ev GROUP BY k HAVING k = 'a') AS m FROM t",
  'SELECT id, (SELECT MAX(w) FROM dim WHERE dim.w < t.i) AS m FROM t',
  'SELECT id FROM t WHERE EXISTS (SELECT * FROM dim WHERE dim.w IN (SELECT id FROM ev WHERE ev.k = t.s2))',
  'SELECT id, s2 IN (SELECT k FROM dim) AS f FROM t',
  'SELECT id, s2 IN (SELECT k FROM dim WHERE k IS NOT NULL) AS f FROM t',
  'SELECT id, s2 NOT IN (SELECT k FROM dim) AS f FROM t',
  'SELECT id, i IN (SELECT w FROM dim WHERE w > 100) AS f, i NOT IN (SELECT w FROM dim WHERE w > 100) AS g FROM t',
  'SELECT id, EXISTS (SELECT * FROM dim WHERE dim.k = t.s2) AS e FROM t',
  'SELECT id, NOT EXISTS (SELECT 1 FROM dim WHERE w > 3) AS e FROM t',
  'SELECT id FROM t WHERE NOT (s2 IN (SELECT k FROM dim WHERE k IS NOT NULL) OR i > 0)',
  'SELECT id FROM t WHERE b OR EXISTS (SELECT 1 FROM dim WHERE dim.w = t.i)',
  'SELECT id FROM t WHERE (s2 IN (SELECT k FROM dim)) IS NULL',
  'SELECT id, s2 IN (SELECT k FROM dim WHERE dim.w = t.id) AS f FROM t',
  'SELECT id, s2 IN (SELECT k FROM dim WHERE dim.w = t.i) AS f, EXISTS (SELECT * FROM dim WHERE dim.w = t.i) AS e FROM t',
  "SELECT id, CASE WHEN i IN (SELECT w FROM dim) THEN 'in' ELSE 'out' END AS c FROM t",
  'SELECT id, UPPER(s2) IN (SELECT UPPER(k) FROM dim) AS f FROM t',
  'SELECT k, k IN (SELECT k FROM ev WHERE v > 88 AND id < 300) AS hot FROM dim',
  'SELECT k, k IN (SELECT k FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) WHERE c > 2000) AS big FROM dim',
  'SELECT f, COUNT(*) AS c FROM (SELECT s2 IN (SELECT k FROM dim) AS f FROM t) GROUP BY f',
  'SELECT k, COUNT(*) AS c FROM ev WHERE k IN (SELECT k FROM dim WHERE w = 1) OR v > 88 GROUP BY k',
];

// Subqueries (Flink's semi and anti joins, and the join of a scalar subquery): IN and NOT IN with NULLs on either
// side and an empty subquery (NOT IN is null-aware), EXISTS / NOT EXISTS correlated and not, values computed on both
// sides, updating inputs on either side, an aggregate above, scalar subqueries in the select list, in WHERE and beside
// a GROUP BY, an empty one (NULL); and what sluice refuses (a subquery inside OR, a scalar one that may have two rows).
const SUBQUERIES = [
  'SELECT id, s2 FROM t WHERE s2 IN (SELECT k FROM dim)',
  'SELECT id, s2 FROM t WHERE s2 NOT IN (SELECT k FROM dim WHERE k IS NOT NULL)',
  'SELECT id, s2 FROM t WHERE s2 NOT IN (SELECT k FROM dim)',
  'SELECT id FROM t WHERE id IN (SELECT w FROM dim) AND b',
  'SELECT id, i FROM t WHERE i NOT IN (SELECT i FROM t WHERE id = 2)',
  'SELECT id, i FROM t WHERE i NOT IN (SELECT i FROM t WHERE id > 10)',
  'SELECT id FROM t WHERE NOT (id IN (SELECT w FROM dim))',
  'SELECT id FROM t WHERE NOT EXISTS (SELECT * FROM dim WHERE dim.w = t.id)',
  'SELECT id, s2 FROM t WHERE EXISTS (SELECT * FROM dim d WHERE d.k = t.s2 AND d.w > 1)',
  'SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM dim WHERE w > 10)',
  'SELECT id FROM t WHERE EXISTS (SELECT 1 FROM dim WHERE w > 3)',
  'SELECT e.id, e.k FROM ev e WHERE e.id < 20 AND NOT EXISTS (SELECT * FROM dim d WHERE d.k = e.k)',
  'SELECT k, COUNT(*) AS c FROM ev WHERE k IN (SELECT k FROM dim) GROUP BY k',
  'SELECT k, COUNT(*) AS c FROM ev WHERE k NOT IN (SELECT k FROM dim WHERE k IS NOT NULL) GROUP BY k',
  'SELECT id FROM ev WHERE id < 50 AND k IN (SELECT k FROM ev WHERE v > 85 AND id < 100)',
  'SELECT id, v FROM ev WHERE id < 300 AND v IN (SELECT MAX(v) FROM ev GROUP BY k)',
  'SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) WHERE k IN (SELECT k FROM dim)',
  'SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) WHERE k NOT IN (SELECT k FROM dim WHERE k IS NOT NULL)',
  'SELECT id FROM t WHERE UPPER(s2) IN (SELECT UPPER(k) FROM dim)',
  'SELECT id FROM t WHERE id + 1 IN (SELECT w + 1 FROM dim WHERE k IS NOT NULL)',
  'SELECT id FROM t WHERE s2 IN (SELECT k FROM dim WHERE dim.w = t.id)',
  'SELECT id, i - (SELECT MIN(w) FROM dim) AS x FROM t',
  'SELECT id, k, v FROM ev WHERE v > (SELECT AVG(v) + 88 FROM ev WHERE id < 5000) AND id < 2000',
  'SELECT k, COUNT(*) AS c, (SELECT COUNT(*) FROM dim) AS d FROM ev GROUP BY k',
  'SELECT id, (SELECT MAX(w) FROM dim WHERE w > 100) AS m FROM t',
  'SELECT * FROM t WHERE id < (SELECT COUNT(*) FROM dim)',
  "SELECT id, (SELECT w FROM dim WHERE k = 'a') AS w FROM t",
  'SELECT id FROM t WHERE i IN (SELECT w FROM dim) OR b',
  ...CORRELATED_SCALARS_AND_MARKS,
];

// Regular joins beyond the first ones in MISSING: NULL and empty keys, updating inputs on one and both sides,
// outer joins whose matches come after the padded rows, conditions beyond the key, comma and cross joins.
const JOINS = [
  'SELECT t.id, d.name FROM t LEFT JOIN dim d ON t.s2 = d.k',
  'SELECT d.name, t.id FROM dim d FULL JOIN t ON d.k = t.s2',
  'SELECT d.name, e.id FROM (SELECT * FROM ev WHERE id < 5) e RIGHT JOIN dim d ON e.k = d.k',
  'SELECT c.k, c.n, d.name FROM (SELECT k, COUNT(*) AS n FROM ev GROUP BY k) c LEFT JOIN dim d ON c.k = d.k',
  'SELECT a.k, a.n, b.m FROM (SELECT k, COUNT(*) AS n FROM ev GROUP BY k) a FULL JOIN (SELECT k, MAX(v) AS m FROM ev WHERE v > 80 GROUP BY k) b ON a.k = b.k',
  'SELECT e.id, f.id FROM (SELECT * FROM ev WHERE id < 20) e LEFT JOIN (SELECT * FROM ev WHERE id BETWEEN 8990 AND 9000) f ON e.k = f.k',
  'SELECT e.id, d.name FROM (SELECT * FROM ev WHERE id < 30) e LEFT JOIN dim d ON e.k = d.k AND e.v > d.w * 40',
  'SELECT t.id, d.name, e.id FROM t, dim d, ev e WHERE t.s2 = d.k AND d.k = e.k AND e.id < 10',
  'SELECT d.name, t.id FROM dim d CROSS JOIN t WHERE t.id < 3',
  'SELECT * FROM dim a JOIN dim b ON a.w = b.w',
  'SELECT e.id, d.name FROM ev e JOIN dim d ON UPPER(e.k) = UPPER(d.k) WHERE e.id < 10',
  'SELECT t.id, d.name FROM t JOIN dim d ON CAST(t.id AS BIGINT) = d.w',
  'SELECT e.ts, d.name FROM ev e JOIN dim d ON e.k = d.k WHERE e.id < 3',
  'SELECT d.name, COUNT(e.id) AS n FROM dim d LEFT JOIN ev e ON d.k = e.k GROUP BY d.name',
  'SELECT e.id, d.name FROM ev e LEFT JOIN dim d ON e.k = d.k WHERE e.id < 10 AND d.name IS NULL',
  'SELECT d.k, d.name FROM dim d JOIN dim d2 ON d.k = d2.k AND d.w <> d2.w',
  // Interval joins: time bounds on both rowtimes; ev's late rows (an hour behind) come too late to be cached
  // or to find their own copy on the other side, so the outer joins pad them.
  "SELECT a.id, b.id, a.ts, b.ts FROM ev a JOIN ev b ON a.k = b.k AND a.ts BETWEEN b.ts AND b.ts + INTERVAL '1' SECOND WHERE a.id < 60 AND b.id < 60",
  "SELECT a.id, b.id FROM (SELECT * FROM ev WHERE id > 8800) a LEFT JOIN (SELECT * FROM ev WHERE id > 8900) b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '1' SECOND AND b.ts + INTERVAL '2' SECOND",
  "SELECT a.id, b.id FROM (SELECT * FROM ev WHERE id BETWEEN 8850 AND 8950 OR k = 'late') a FULL JOIN (SELECT * FROM ev WHERE id > 8900) b ON a.k = b.k AND a.ts > b.ts AND a.ts < b.ts + INTERVAL '3' SECOND",
  "SELECT a.id, b.id FROM (SELECT * FROM ev WHERE id < 300) a RIGHT JOIN (SELECT * FROM ev WHERE id < 300 AND v > 50) b ON a.k = b.k AND b.ts >= a.ts - INTERVAL '2' SECOND AND b.ts <= a.ts - INTERVAL '1' SECOND",
  "SELECT a.id, b.id FROM (SELECT * FROM ev WHERE id < 200) a JOIN (SELECT * FROM ev WHERE id < 200) b ON a.ts = b.ts",
  "SELECT TUMBLE_START(a.ts, INTERVAL '10' SECOND) AS ws, COUNT(*) AS c, SUM(b.v) AS s FROM (SELECT * FROM ev WHERE id < 1000) a JOIN (SELECT * FROM ev WHERE id < 1000) b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '1' SECOND AND b.ts GROUP BY TUMBLE(a.ts, INTERVAL '10' SECOND)",
];

// Event-time temporal joins (Flink's TemporalRowTimeJoinOperator) of ev with the versions of `rates` (inputs.ts):
// each ev row joins the version valid at its time, as a table with a primary key and a watermark and as a
// deduplicating view (which drops versions older than the last); out-of-order versions, a later row at the same
// time, versions an hour late (never valid), ev's late rows (joined with the one version of 'late' still kept),
// NULL keys (which join the versions with a NULL key, as Flink keys its state), a condition beyond the key (a LEFT join pads the row whose version fails it), a WHERE on the
// versioned side, windows and aggregates over the joined rows; and what Flink refuses: a right side without a
// primary key or without a rowtime, a condition without the primary key, RIGHT JOIN.
const EV_SAMPLE = "(SELECT * FROM ev WHERE MOD(id, 40) = 0 OR k = 'late')";
const TEMPORAL_JOINS = [
  `SELECT e.id, e.k, r.rate, r.rts FROM ${EV_SAMPLE} e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency`,
  `SELECT e.id, e.k, r.rate, r.rts FROM ${EV_SAMPLE} e LEFT JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency`,
  `SELECT e.id, e.k, r.rate, r.rts FROM ${EV_SAMPLE} e LEFT JOIN rates_v FOR SYSTEM_TIME AS OF e.ts AS r ON r.currency = e.k`,
  `SELECT e.id, e.v, r.rate FROM ${EV_SAMPLE} e LEFT JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency AND r.rate > e.v + 100`,
  `SELECT e.id, e.v, r.rate FROM ${EV_SAMPLE} e JOIN rates_v FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency WHERE r.rate > 150 AND e.v > 20`,
  "SELECT e.id, e.k, r.rate FROM (SELECT id, CASE WHEN k = 'c' THEN CAST(NULL AS STRING) ELSE k END AS k, ts FROM ev WHERE MOD(id, 40) = 0) e LEFT JOIN rates_v FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency",
  // ev's late rows are left out here: the join sends them when the watermark of both inputs next advances, and
  // whether their windows have fired by then depends on how far the other input has been read (in both engines).
  "SELECT TUMBLE_START(e.ts, INTERVAL '1' MINUTE) AS ws, COUNT(*) AS n, SUM(r.rate) AS s FROM (SELECT * FROM ev WHERE k <> 'late') e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency GROUP BY TUMBLE(e.ts, INTERVAL '1' MINUTE)",
  'SELECT e.k, COUNT(*) AS n, COUNT(r.rate) AS matched, SUM(r.rate) AS s, MAX(r.rts) AS latest FROM ev e LEFT JOIN rates_v FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency GROUP BY e.k',
  'SELECT e.id, r.rate FROM ev e JOIN rates_log FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency',
  'SELECT e.id, r.rate FROM ev e JOIN rates_nowm FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency',
  'SELECT e.id, d.name FROM ev e JOIN dim FOR SYSTEM_TIME AS OF e.ts AS d ON e.k = d.k',
  'SELECT e.id, r.rate FROM ev e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.v = r.rate',
  'SELECT e.id, r.rate FROM ev e RIGHT JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.currency',
];

// Window joins (Flink's WindowJoin): inputs windowed alike (here window aggregates, whose window_start and
// window_end go on), joined window by window when the watermark passes the window's end: inner and outer, TUMBLE,
// HOP and CUMULATE, a condition beyond the keys, NULL keys (never match, padded), an aggregate of the joined
// rows, and what Flink's planner makes a regular join (one equality only, different windows).
const WINDOW_JOIN_INPUT = (win: string, agg: string, where = '', key = 'k', group = key) =>
  `(SELECT window_start, window_end, ${key}, ${agg} FROM TABLE(${win.replace('$', 'ev')})${where ? ` WHERE ${where}` : ''} GROUP BY window_start, window_end, ${group})`;
const NULL_A = "CASE WHEN k = 'a' THEN NULL ELSE k END";
const TUMBLE_1M = "TUMBLE(TABLE $, DESCRIPTOR(ts), INTERVAL '1' MINUTE)";
const ON_WINDOW = 'L.window_start = R.window_start AND L.window_end = R.window_end';
const TVF = (win: string, where: string) => `(SELECT * FROM TABLE(${win.replace('$', 'ev')}) WHERE ${where})`;
const WINDOW_JOINS = [
  // Straight on window table functions, as Flink's documentation writes them: late rows (k = 'late') come through the
  // table function and are dropped by the join, whose windows have fired.
  `SELECT L.id, R.id, L.window_start, L.window_end FROM ${TVF("TUMBLE(TABLE $, DESCRIPTOR(ts), INTERVAL '5' SECOND)", 'id < 400')} L JOIN ${TVF("TUMBLE(TABLE $, DESCRIPTOR(ts), INTERVAL '5' SECOND)", 'id < 400 AND v > 70')} R ON ${ON_WINDOW} AND L.k = R.k AND L.id < R.id`,
  `SELECT L.id, R.id, COALESCE(L.window_start, R.window_start) AS ws FROM ${TVF("TUMBLE(TABLE $, DESCRIPTOR(ts), INTERVAL '2' SECOND)", "id BETWEEN 5000 AND 5600 AND v > 80 OR k = 'late'")} L FULL JOIN ${TVF("TUMBLE(TABLE $, DESCRIPTOR(ts), INTERVAL '2' SECOND)", "id BETWEEN 5000 AND 5600 AND v < -5 OR k = 'late'")} R ON ${ON_WINDOW} AND L.k = R.k`,
  `SELECT L.id, R.id, L.window_start FROM ${TVF("HOP(TABLE $, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '2' SECOND)", 'id < 300 AND v > 75')} L LEFT JOIN ${TVF("HOP(TABLE $, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '2' SECOND)", 'id < 300 AND v < -7')} R ON ${ON_WINDOW} AND L.k = R.k`,
  `SELECT L.id, R.id, L.window_end FROM ${TVF("CUMULATE(TABLE $, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND)", 'id < 200 AND v > 80')} L RIGHT JOIN ${TVF("CUMULATE(TABLE $, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND)", 'id < 200 AND v > 85')} R ON ${ON_WINDOW} AND L.k = R.k AND L.id <> R.id`,
  `SELECT L.window_start, L.k, L.n, R.s FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n')} L JOIN ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'SUM(v) AS s', 'v > 50')} R ON ${ON_WINDOW} AND L.k = R.k`,
  `SELECT L.window_start, L.window_end, L.k, L.n, R.s FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n')} L LEFT JOIN ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'SUM(v) AS s', "k = 'a' AND id < 3000")} R ON ${ON_WINDOW} AND L.k = R.k`,
  `SELECT R.window_start, L.k, L.n, R.k, R.s FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n', 'id > 4000')} L RIGHT JOIN ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'SUM(v) AS s')} R ON ${ON_WINDOW} AND L.k = R.k`,
  `SELECT COALESCE(L.window_start, R.window_start) AS ws, L.k, L.n, R.k, R.m FROM ${WINDOW_JOIN_INPUT("HOP(TABLE $, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE)", 'COUNT(*) AS n', 'id < 2000')} L FULL JOIN ${WINDOW_JOIN_INPUT("HOP(TABLE $, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE)", 'MAX(v) AS m', 'id > 1500 AND id < 4000')} R ON ${ON_WINDOW} AND L.k = R.k`,
  `SELECT L.window_start, L.window_end, L.k, R.k, L.n, R.n FROM ${WINDOW_JOIN_INPUT("CUMULATE(TABLE $, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE)", 'COUNT(*) AS n', 'id < 3000')} L JOIN ${WINDOW_JOIN_INPUT("CUMULATE(TABLE $, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE)", 'COUNT(*) AS n', 'v > 60 AND id < 3000')} R ON ${ON_WINDOW} AND L.n > R.n * 3`,
  `SELECT L.window_start, L.k2, R.k2, L.n, R.n FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n', 'id < 1500', `${NULL_A} AS k2`, NULL_A)} L FULL JOIN ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n', 'id < 1500 AND v > 0', `${NULL_A} AS k2`, NULL_A)} R ON ${ON_WINDOW} AND L.k2 = R.k2`,
  `SELECT k, COUNT(*) AS windows, SUM(n) AS total FROM (SELECT L.k, L.n FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n')} L JOIN ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'MIN(v) AS lo', 'v > 85')} R ON ${ON_WINDOW} AND L.k = R.k) GROUP BY k`,
  `SELECT L.k, R.s FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n')} L JOIN ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'SUM(v) AS s')} R ON L.window_start = R.window_start AND L.k = R.k`,
  `SELECT L.k, R.s FROM ${WINDOW_JOIN_INPUT(TUMBLE_1M, 'COUNT(*) AS n')} L JOIN ${WINDOW_JOIN_INPUT("TUMBLE(TABLE $, DESCRIPTOR(ts), INTERVAL '2' MINUTE)", 'SUM(v) AS s')} R ON ${ON_WINDOW} AND L.k = R.k`,
];

const CORE = [
  'SELECT * FROM t', 'SELECT id, s FROM t WHERE b', 'SELECT id FROM t WHERE i > 0 AND s IS NOT NULL', 'SELECT id * 2 AS x, UPPER(s) AS u FROM t WHERE id > 2',
  'SELECT id FROM t UNION ALL SELECT id FROM t WHERE id > 3', 'SELECT id FROM t UNION SELECT id FROM t', 'SELECT DISTINCT b FROM t',
  'WITH w AS (SELECT id, i * 2 AS i2 FROM t) SELECT id, i2 + 1 FROM w WHERE i2 > 0', 'SELECT x.id FROM (SELECT id, s FROM t) AS x WHERE x.s <> \'\'',
  'SELECT id, 1, 1.5, \'lit\', TRUE, NULL FROM t', 'SELECT id, 2147483647 + 1 FROM t WHERE id = 1', 'SELECT id, 9223372036854775807 FROM t WHERE id = 1',
  'SELECT id, 1.0E10, 0.1 + 0.2, 1e-5 FROM t WHERE id = 1', 'SELECT id, CAST(0.1 AS FLOAT), CAST(1e20 AS DOUBLE) FROM t WHERE id = 1',
  'SELECT id, 12.30, -0.5, 100.00 / 3 FROM t WHERE id = 1',
];

// ORDER BY and LIMIT on a stream, as Flink's streaming planner takes them: ORDER BY an ascending time attribute
// (then other columns) sorts by the watermark and drops rows older than the last ones sent; ORDER BY ... LIMIT
// is a Top-N over the whole input, LIMIT alone keeps the first rows; any other ORDER BY is refused. The late
// rows of `ev` are an hour behind their neighbours: after rows 0-2 went out they are dropped, alone they are not.
// UNNEST of arrays and maps (a correlate): NULL and empty collections, LEFT ... ON TRUE, conditions, an aggregate above
// it, updating inputs.
const UNNEST = [
  'SELECT id, x FROM t CROSS JOIN UNNEST(ARRAY[i, 1]) AS u(x)', "SELECT id, x FROM t, UNNEST(SPLIT(s, ' ')) AS u(x)",
  "SELECT id, x FROM t LEFT JOIN UNNEST(SPLIT(s, ' ')) AS u(x) ON TRUE", "SELECT id, k, v FROM t CROSS JOIN UNNEST(MAP['a', i, 'b', 2]) AS u(k, v)",
  "SELECT id, p, q FROM t CROSS JOIN UNNEST(ARRAY[ROW(i, s2), ROW(id, s)]) AS u(p, q)", 'SELECT id, x FROM t CROSS JOIN UNNEST(ARRAY[i, id]) AS u(x) WHERE x > 1',
  "SELECT id, x FROM t JOIN UNNEST(ARRAY[i, id, 3]) AS u(x) ON x > id", "SELECT w, COUNT(*) AS c, SUM(v) AS s FROM ev CROSS JOIN UNNEST(ARRAY[k, 'all']) AS u(w) GROUP BY w",
  // On updating inputs (an aggregate's -U/+U): every changelog row expanded with its kind, as Flink's Correlate.
  'SELECT k, x FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) CROSS JOIN UNNEST(ARRAY[c, c * 10]) AS u(x)',
  'SELECT x, COUNT(*) AS n FROM (SELECT k, MAX(v) AS m FROM ev GROUP BY k) CROSS JOIN UNNEST(ARRAY[m, 0]) AS u(x) GROUP BY x',
  "SELECT k, x FROM (SELECT k, MAX(v) AS m FROM ev GROUP BY k) LEFT JOIN UNNEST(SPLIT(CASE WHEN MOD(m, 3) = 0 THEN '' ELSE CAST(m AS STRING) END, ',')) AS u(x) ON TRUE WHERE x IS NULL OR x <> ''",
];

const SORT = [
  'SELECT id, k, ts FROM ev WHERE id < 30 ORDER BY ts', 'SELECT id FROM ev WHERE id < 30 ORDER BY ts', 'SELECT id, v, ts FROM ev WHERE id < 30 ORDER BY ts, v DESC',
  "SELECT id, ts FROM ev WHERE id < 3 OR k = 'late' ORDER BY ts", "SELECT id, ts FROM ev WHERE k = 'late' ORDER BY ts",
  'SELECT id, ts FROM ev ORDER BY ts DESC', 'SELECT id, v FROM ev ORDER BY v', 'SELECT id FROM t ORDER BY id',
  'SELECT id, v FROM ev ORDER BY v DESC, id LIMIT 5', 'SELECT id, v FROM ev LIMIT 5', 'SELECT id, v FROM ev WHERE v > 50 LIMIT 3', 'SELECT id, v FROM ev LIMIT 0',
  'SELECT id, ts FROM ev ORDER BY ts LIMIT 3', 'SELECT id, ts FROM ev ORDER BY ts DESC LIMIT 3', 'SELECT id FROM ev ORDER BY id LIMIT 3',
  'SELECT k, COUNT(*) AS c FROM ev GROUP BY k ORDER BY c DESC LIMIT 2',
  // OFFSET on a stream: a Top-N of the ranks offset+1 .. offset+fetch (FETCH and LIMIT alike); without a fetch refused.
  'SELECT id, v FROM ev ORDER BY v DESC, id LIMIT 3 OFFSET 2', 'SELECT id, v FROM ev ORDER BY v, id OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY',
  'SELECT id, v FROM ev ORDER BY v DESC, id FETCH NEXT 2 ROWS ONLY', 'SELECT id, v FROM ev ORDER BY v, id OFFSET 3 ROWS',
];

// Batch mode (issue 15): ORDER BY / LIMIT compared in the order rows come out (every ORDER BY here is total),
// NULLs first ascending and last descending, output columns, hidden columns, expressions and ordinals.
const BATCH_SORT = [
  'SELECT id, i, s FROM t ORDER BY i', 'SELECT id, i FROM t ORDER BY i DESC', 'SELECT id, s FROM t ORDER BY s', 'SELECT id, d FROM t ORDER BY d DESC NULLS FIRST',
  'SELECT id, d FROM t ORDER BY d NULLS LAST', 'SELECT id, ts FROM t ORDER BY ts LIMIT 3', 'SELECT id FROM t LIMIT 0', 'SELECT id FROM t LIMIT 3',
  'SELECT id, b FROM t ORDER BY b, id', 'SELECT id, dc FROM t ORDER BY dc', 'SELECT id, dt, tm FROM t ORDER BY dt DESC', 'SELECT id, f FROM t ORDER BY f', 'SELECT id, bi FROM t ORDER BY bi DESC',
  'SELECT id, s2 FROM t ORDER BY s2 DESC, id', 'SELECT id, i + 1 AS j FROM t ORDER BY j', 'SELECT id, i FROM t ORDER BY i + 1 DESC', 'SELECT id, i FROM t ORDER BY 2', 'SELECT id FROM t ORDER BY i',
  'SELECT k, COUNT(*) AS c, SUM(v) AS s FROM ev GROUP BY k ORDER BY s DESC', 'SELECT id, k, v FROM ev ORDER BY v DESC, id LIMIT 10',
  "SELECT id, k, ts FROM ev WHERE k = 'late' ORDER BY ts LIMIT 5", 'SELECT id, k, ts FROM ev WHERE id < 10 ORDER BY ts DESC',
  'SELECT * FROM (SELECT id, v FROM ev ORDER BY v DESC, id LIMIT 3)', 'SELECT DISTINCT k FROM ev ORDER BY k',
  "SELECT window_start, k, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, k ORDER BY c DESC, window_start, k LIMIT 4",
  'SELECT e.id, d.name FROM ev e LEFT JOIN dim d ON e.k = d.k WHERE e.id < 6 ORDER BY e.id',
  // OFFSET / FETCH (SQL:2008) and LIMIT n OFFSET m.
  'SELECT id, i FROM t ORDER BY i, id OFFSET 2 ROWS', 'SELECT id, i FROM t ORDER BY i DESC, id OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY',
  'SELECT id FROM t ORDER BY id FETCH NEXT 2 ROWS ONLY', 'SELECT id FROM t ORDER BY id FETCH FIRST ROW ONLY', 'SELECT id FROM t ORDER BY id OFFSET 1 ROW',
  'SELECT id, v FROM ev ORDER BY v DESC, id LIMIT 3 OFFSET 2', 'SELECT id FROM t ORDER BY id OFFSET 100 ROWS', 'SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 0',
  'SELECT * FROM (SELECT id, v FROM ev ORDER BY v, id OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY) ORDER BY id',
  'SELECT k, COUNT(*) AS c FROM ev GROUP BY k ORDER BY c DESC, k\n  OFFSET 1 ROWS\n  FETCH NEXT 2 ROWS ONLY',
];

// Batch mode's final rows where a stream would send updates: outer joins, aggregates over them and over
// aggregates, a Top-N over an aggregate (sorted, as streaming cases are).
const BATCH = [
  'SELECT e.id, d.name FROM ev e LEFT JOIN dim d ON e.k = d.k WHERE e.id < 6', 'SELECT d.name, e.k, COUNT(*) AS c FROM ev e FULL JOIN dim d ON e.k = d.k GROUP BY d.name, e.k',
  'SELECT c, COUNT(*) AS n FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY c',
  'SELECT k, c FROM (SELECT k, c, ROW_NUMBER() OVER (ORDER BY c DESC) AS rn FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)) WHERE rn <= 2',
  // Windows in a batch (kept as slices, runtime/state/window-slices.ts): every record counts, ev's late ones too.
  "SELECT window_start, window_end, k, COUNT(*) AS c, SUM(v) AS s, MIN(v) AS mn, MAX(id) AS mx FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, k",
  "SELECT window_start, window_end, k, COUNT(DISTINCT v) AS dv, AVG(v) AS a, MAX(ts) AS mt FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '6' MINUTE)) GROUP BY window_start, window_end, k",
  "SELECT window_start, k, COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, k",
];


// Exact DECIMAL (issue 14.5): Flink's precision/scale rules at the 38-digit cap, HALF_UP ties, overflow to NULL,
// E notation of small values in print, casts from and to every numeric type, aggregates (AVG at scale
// max(s, 6)), a DECIMAL group key, retracting and window sums.
const DECIMAL_EXPRS = [
  'CAST(dc AS DECIMAL(38, 18)) * CAST(dc AS DECIMAL(38, 18))', 'CAST(dc AS DECIMAL(38, 10)) / 7', 'dc / CAST(7 AS DECIMAL(38, 0))',
  "CAST('99999999999999999999999999999999999999' AS DECIMAL(38, 0)) + dc", "CAST('99999999999999999999999999999999999999' AS DECIMAL(38, 0)) - 1",
  "CAST('12345678901234567890.123456789' AS DECIMAL(38, 9)) * dc", "CAST('0.000001' AS DECIMAL(20, 10)) / 3", 'dc / 300000000',
  'CAST(dc AS DECIMAL(10, 1))', 'CAST(dc AS DECIMAL(3, 1))', 'CAST(2.5 AS DECIMAL(1, 0))', 'CAST(-2.5 AS DECIMAL(1, 0))',
  "CAST('0.125' AS DECIMAL(3, 2))", "CAST('-0.125' AS DECIMAL(3, 2))", "CAST(' 1.5e2 ' AS DECIMAL(5, 1))",
  'ROUND(dc, -1)', 'ROUND(dc, -2)', 'TRUNCATE(dc, -1)', 'ROUND(dc, 3)', 'ROUND(-0.05, 1)', 'FLOOR(-dc)', 'CEIL(-dc)',
  'MOD(dc, 0.3)', 'dc % 3', 'MOD(dc, -5)', 'dc - 100', '-dc', 'ABS(-dc)', 'dc * 1.10', '0.1 + 0.2', '0.1 * 3 = 0.3', 'dc + dc + dc',
  'dc = 12.340', 'dc < 0.001', 'dc IN (12.34, 0)', 'dc BETWEEN 0 AND 100', 'dc > i', 'dc = CAST(dc AS DECIMAL(20, 5))', 'dc * 0 = 0',
  'CAST(dc / 3 AS STRING)', 'CAST(dc AS BIGINT)', 'CAST(dc AS TINYINT)', 'CAST(dc AS FLOAT)', 'CAST(dc * dc AS DOUBLE)',
  'CAST(d AS DECIMAL(38, 18))', 'CAST(f AS DECIMAL(10, 4))', 'CAST(bi AS DECIMAL(19, 0))', 'CAST(bi AS DECIMAL(5, 0))', 'CAST(ti AS DECIMAL(3, 0))',
  'TRY_CAST(n AS DECIMAL(10, 3))', 'CAST(dc AS DECIMAL(38, 37))', 'COALESCE(dc, 1)', 'NULLIF(dc, 0)', 'CASE WHEN dc > 0 THEN dc ELSE 0.5 END',
  'LEAST(dc, 0.5, 1)', 'SIGN(-dc)', 'POWER(dc, 2)', 'SQRT(dc)', 'dc + 1.5e0', 'JSON_STRING(dc / 3)',
];

const DECIMAL_QUERIES = [
  'SELECT SUM(dc), AVG(dc), MIN(dc), MAX(dc), COUNT(dc) FROM t', 'SELECT b, SUM(dc * 3) AS s, AVG(dc / 3) AS a FROM t GROUP BY b',
  'SELECT k, SUM(CAST(v AS DECIMAL(10, 3)) / 7) AS s, AVG(CAST(v AS DECIMAL(10, 3))) AS a, MIN(CAST(v AS DECIMAL(10, 3)) / 7) AS mn FROM ev GROUP BY k',
  'SELECT SUM(s) FROM (SELECT k, SUM(CAST(v AS DECIMAL(10, 2)) / 3) AS s FROM ev GROUP BY k)',
  "SELECT window_start, SUM(CAST(v AS DECIMAL(12, 2)) * 1.5) AS s, AVG(CAST(v AS DECIMAL(12, 2))) AS a FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end",
  'SELECT q, COUNT(*) AS c FROM (SELECT CAST(v AS DECIMAL(6, 2)) / 4 AS q FROM ev) GROUP BY q',
  'SELECT COUNT(DISTINCT CAST(v AS DECIMAL(6, 2)) / 4) AS c, AVG(DISTINCT CAST(v AS DECIMAL(6, 2))) AS a FROM ev',
];

export const CASES: Case[] = [
  ...scalar('comparison', COMPARISON),
  ...scalar('logical', LOGICAL),
  ...scalar('arithmetic', ARITHMETIC),
  ...scalar('string', STRING),
  ...scalar('temporal', TEMPORAL),
  ...scalar('conditional', CONDITIONAL),
  ...scalar('conversion', CONVERSION),
  ...scalar('collection', COLLECTION),
  ...scalar('json', JSON_FUNCTIONS),
  ...scalar('json-clauses', JSON_CLAUSES),
  ...scalar('overlaps', OVERLAPS),
  ...query('overlaps', ["SELECT id FROM t WHERE (ts, INTERVAL '1' DAY) OVERLAPS (TIMESTAMP '2000-01-01 00:00:00', TIMESTAMP '2030-01-01 00:00:00')"]),
  ...scalar('value', VALUE),
  ...scalar('hash', HASH),
  ...scalar('function-edges', FUNCTION_EDGES),
  ...scalar('decimal', DECIMAL_EXPRS),
  ...query('decimal', DECIMAL_QUERIES),
  ...query('query', CORE),
  ...query('aggregate', AGGREGATE),
  ...query('grouping-sets', GROUPING_SETS),
  ...query('updating', UPDATING),
  ...query('agg-functions', AGG_FUNCTIONS),
  ...query('window', WINDOW),
  ...query('join', JOINS),
  ...query('join', TEMPORAL_JOINS),
  ...query('subquery', SUBQUERIES),
  // In batch mode an aggregate without GROUP BY over no rows has a row (COUNT 0), which a stream does not emit.
  ...query('subquery-batch', [
    'SELECT id, i IN (SELECT w FROM dim WHERE w > 100) AS f, EXISTS (SELECT 1 FROM dim WHERE w > 100) AS e FROM t',
    'SELECT id, (SELECT COUNT(*) FROM dim WHERE dim.k = t.s2) AS c, s2 IN (SELECT k FROM dim) AS f, (SELECT COUNT(*) FROM dim WHERE w > 100) AS n FROM t',
  ], { mode: 'batch' }),
  ...query('window-join', WINDOW_JOINS),
  ...query('over', OVER),
  ...query('rank', RANK),
  ...query('watermark', WATERMARK),
  ...query('unsupported', MISSING),
  ...query('sort', SORT),
  ...query('unnest', UNNEST),
  ...query('batch', BATCH_SORT, { mode: 'batch', ordered: true }),
  ...query('batch', BATCH, { mode: 'batch' }),
];
