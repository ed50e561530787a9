// Identifiers and literal tokens as SQL writes them: `quoted` names, dotted paths, 'string' literals.
import type { ParserRuleContext } from 'antlr4ng';
import { IdentifierContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';

/** A name as written, without its quotes; Flink quotes identifiers with backticks and doubles them inside. */
export function unquoteName(raw: string): string {
  const q = raw[0];
  if ((q === '`' || q === '"' || q === "'") && raw.length >= 2 && raw.endsWith(q)) return raw.slice(1, -1).split(q + q).join(q);
  return raw;
}

/** A 'string' literal's value: Flink SQL escapes a quote by doubling it; a backslash is an ordinary character. */
export function stringValue(raw: string): string {
  return unquoteName(raw);
}

/** True for a backtick-quoted token, which the grammar reads as a string constant but Flink as a column name. */
export const isQuotedName = (raw: string) => raw.startsWith('`');

/** The parts of a dotted name (tablePath, uid, columnName, ...), found in the first rule that holds identifiers. */
export function pathOf(ctx: ParserRuleContext | null | undefined): string[] {
  if (!ctx) return [];
  if (ctx instanceof IdentifierContext) return [unquoteName(ctx.getText())];
  const ids = (ctx.children ?? []).filter((c): c is IdentifierContext => c instanceof IdentifierContext);
  if (ids.length) return ids.map((c) => unquoteName(c.getText()));
  for (const c of ctx.children ?? []) {
    if (isRule(c)) {
      const parts = pathOf(c);
      if (parts.length) return parts;
    }
  }
  return [];
}

/** Flink's default catalog and database prefix a table name; anything else is a catalog path we do not have. */
export function tableName(parts: string[]): string {
  const rest = parts.length === 3 && parts[0] === 'default_catalog' ? parts.slice(1) : parts;
  return rest.length === 2 && rest[0] === 'default_database' ? rest[1] : rest.join('.');
}

function isRule(node: unknown): node is ParserRuleContext {
  return typeof node === 'object' && node !== null && 'children' in node && 'start' in node;
}
