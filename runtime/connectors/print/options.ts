// The WITH options of the print connector (Flink's names) and the settings the sink reads, parsed once. Light:
// the compiler loads it through connector.ts; the sink imports it too.
import type { TableInfo } from '../../core/connector.js';
import { anyString, boolString, type OptionSchema } from '../../core/options.js';

export const printOptions: OptionSchema = {
  keys: {
    'print-identifier': anyString(),
    'standard-error': boolString(),
  },
};

export interface PrintSettings {
  stream: 'stdout' | 'stderr';
  /** The line prefix before the subtask suffix and '> '; '' without one. */
  identifier: string;
}

/** The options of a table that passed printOptions, with Flink's defaults. */
export function printSettings(table: Pick<TableInfo, 'options'>): PrintSettings {
  const o = table.options;
  return { stream: o['standard-error'] === 'true' ? 'stderr' : 'stdout', identifier: o['print-identifier'] ?? '' };
}
