// The job file of the SQL page's preview (see sql-preview-job.ts): the tables' DDL and the query as template
// literals, each opening at column 1 of its own line, and a collect sink with the query's columns; and the
// way back from a compile error's place in that file to the line and column in the text the user wrote.

export const COLLECT_ID = 'sql-preview';
const SINK_TABLE = '__sql_preview';

/** Text as a template literal: only \, ` and ${ need escaping. */
const template = (text: string) => '`' + text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
/** How many characters of the literal the text's character at i takes. */
const escapedLength = (text: string, i: number) => (text[i] === '\\' || text[i] === '`' || (text[i] === '$' && text[i + 1] === '{') ? 2 : 1);

export interface Placed { where: 'query' | 'tables'; text: string; firstLine: number }

/** The job file, and where each SQL text starts in it (each literal opens at column 1 of its own line). */
export function jobSource(tables: string, query: string): { source: string; placed: Placed[] } {
  const lines = ['// Written by the SQL page of the sluice dashboard.', 'export default {', "  kind: 'sluice-job',", "  name: 'SQL preview',", '  body: (tEnv: any) => {'];
  const placed: Placed[] = [];
  const put = (where: Placed['where'], text: string, call: string, tail: string) => {
    lines.push(call);
    placed.push({ where, text, firstLine: lines.length + 1 });
    lines.push(...`${template(text)}${tail}`.split('\n'));
  };
  if (tables.trim()) put('tables', tables, '    tEnv.executeSql(', ');');
  put('query', query, '    const t = tEnv.sqlQuery(', ');');
  lines.push(
    '    tEnv.registerTable({',
    `      name: '${SINK_TABLE}', watermark: null, primaryKey: t.node.upsertKey ?? [], options: { connector: 'collect', id: '${COLLECT_ID}' },`,
    "      columns: t.node.schema.map((f: any) => ({ kind: 'physical', name: f.name, type: { ...f.type, timeAttribute: undefined } })),",
    '    });',
    `    t.executeInsert('${SINK_TABLE}');`,
    '  },',
    '};',
    '',
  );
  return { source: lines.join('\n'), placed };
}

/** A position in the job file back to the line and column of the SQL text it lies in. */
export function locate(placed: Placed[], line: number, col: number): { where: Placed['where']; line: number; col: number } | null {
  for (const p of placed) {
    const textLines = p.text.split('\n');
    const i = line - p.firstLine;
    if (i < 0 || i >= textLines.length) continue;
    let fileCol = i === 0 ? 2 : 1; // the opening backtick
    let c = 0;
    const text = textLines[i];
    while (c < text.length && fileCol + escapedLength(text, c) <= col) fileCol += escapedLength(text, c++);
    return { where: p.where, line: i + 1, col: c + 1 };
  }
  return null;
}
