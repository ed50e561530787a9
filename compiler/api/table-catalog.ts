// The environment's catalog (Flink's default in-memory catalog): tables declared by DDL and temporary views,
// by name, with the errors a repeated, missing or misspelt name gets.
import type { SourceLoc } from '../../runtime/core/plan.js';
import { nearest } from '../../runtime/core/options.js';
import type { TableDef } from '../ir/catalog.js';
import { CompileError } from '../ir/diagnostics.js';
import type { Table } from './table.js';

export class TableCatalog {
  private readonly tables = new Map<string, TableDef>();
  private readonly views = new Map<string, Table>();

  register(def: TableDef): void {
    if (this.tables.has(def.name) || this.views.has(def.name)) {
      throw new CompileError(`table '${def.name}' is already defined`, def.loc, 'use another name, or DROP TABLE it first');
    }
    this.tables.set(def.name, def);
  }

  drop(name: string, ifExists: boolean, loc?: SourceLoc): void {
    if (!this.tables.delete(name) && !this.views.delete(name) && !ifExists) {
      throw new CompileError(`table '${name}' does not exist`, loc);
    }
  }

  table(name: string): TableDef | undefined {
    return this.tables.get(name);
  }

  createView(name: string, table: Table): void {
    this.views.set(name, table);
  }

  /** What a query reads under this name: a view, else a declared table. */
  lookup(path: string, loc?: SourceLoc): { view: Table } | { def: TableDef } {
    const view = this.views.get(path);
    if (view) return { view };
    const def = this.tables.get(path);
    if (def) return { def };
    const names = [...this.tables.keys(), ...this.views.keys()];
    const near = nearest(path, names);
    throw new CompileError(`table '${path}' is not defined`, loc,
      near ? `did you mean '${near}'?` : names.length ? `defined tables: ${names.join(', ')}` : 'declare it with executeSql(`CREATE TABLE ...`)');
  }

  /** The declared table an insert writes to (views cannot be written). */
  sinkTable(name: string, loc?: SourceLoc): TableDef {
    const def = this.tables.get(name);
    if (def) return def;
    const near = nearest(name, [...this.tables.keys()]);
    throw new CompileError(`sink table '${name}' is not defined`, loc, near ? `did you mean '${near}'?` : 'declare it with CREATE TABLE');
  }
}
