// The WITH options of the filesystem connector (Flink's names, plus our dead-letter file), the checks across
// options, and the settings the source and sink read, parsed once. Light: the compiler loads it through
// connector.ts; the source and sink import it too.
import type { TableInfo } from '../../core/connector.js';
import { nonEmptyString, memoryString, parseMemorySize, type OptionProblem, type OptionSchema } from '../../core/options.js';
import { formatName, formatOptionKeys, validateFormatOptions } from '../../formats/format-options.js';

export const filesystemOptions: OptionSchema = {
  keys: {
    path: nonEmptyString(),
    format: formatName(),
    'sink.rolling-policy.file-size': memoryString(),
    'scan.dead-letter-queue.path': nonEmptyString(),
    ...formatOptionKeys(),
  },
  required: ['path', 'format'],
};

export interface FilesystemSettings {
  path: string;
  format: string;
  /** The format's own options (csv.*, json.*), as the codecs take them. */
  formatOptions: Record<string, string>;
  /** Where the sink rolls to the next part file. */
  rollBytes: number;
  /** scan.dead-letter-queue.path, or null. */
  deadLetterPath: string | null;
}

/** The options of a table that passed filesystemOptions, with Flink's defaults. */
export function filesystemSettings(table: Pick<TableInfo, 'options'>): FilesystemSettings {
  const o = table.options;
  return {
    path: o.path,
    format: o.format,
    formatOptions: o,
    rollBytes: parseMemorySize(o['sink.rolling-policy.file-size'] ?? '128mb'),
    deadLetterPath: o['scan.dead-letter-queue.path'] ?? null,
  };
}

export const validateFilesystem = (table: TableInfo, role: 'source' | 'sink'): OptionProblem[] => validateFormatOptions(table.options.format, table.options, '', role);
