// The filesystem connector, as Flink's for csv and json: a bounded source reading a file or a directory of
// files (one record per line), and an insert-only sink writing part files into a directory.
import { z } from 'zod';
import type { Connector } from '../../core/connector.js';
import { memoryString, type OptionSchema } from '../../core/options.js';
import { formatName, formatOptionKeys, validateFormatOptions } from '../../formats/format-options.js';

export const filesystemOptions: OptionSchema = {
  keys: {
    path: z.string().min(1, 'must not be empty'),
    format: formatName(),
    'sink.rolling-policy.file-size': memoryString(),
    'scan.dead-letter-queue.path': z.string().min(1, 'must not be empty'),
    ...formatOptionKeys(),
  },
  required: ['path', 'format'],
};

export const filesystem: Connector = {
  name: 'filesystem',
  options: filesystemOptions,
  roles: ['source', 'sink'],
  sinkAccepts: 'insert-only',
  bundle: 'always',
  validate: (table) => validateFormatOptions(table.options.format, table.options),
  load: async () => {
    const [source, sink, { readSourceToEnd }] = await Promise.all([import('./source.js'), import('./sink.js'), import('../../core/read-source.js')]);
    return {
      createSource: source.createSource, createSink: sink.createSink,
      // The sink's part files, read as the source reads a directory (sluice reconcile).
      readTable: (ctx) => readSourceToEnd(source.createSource({ ...ctx, fields: ctx.declared }), null),
    };
  },
};
