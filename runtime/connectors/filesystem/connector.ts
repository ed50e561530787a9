// The filesystem connector, as Flink's for csv and json: a bounded source reading a file or a directory of
// files (one record per line), and an insert-only sink writing part files into a directory.
import type { Connector } from '../../core/connector.js';
import { changelogOfFormat } from '../../formats/format-options.js';
import { filesystemOptions, validateFilesystem } from './options.js';

export const filesystem: Connector = {
  name: 'filesystem',
  options: filesystemOptions,
  roles: ['source', 'sink'],
  endsWith: () => true,
  sinkAccepts: 'insert-only',
  // format = 'debezium-json' / 'canal-json': the files hold changes.
  changelogWith: (options) => changelogOfFormat(options.format),
  bundle: 'always',
  validate: validateFilesystem,
  load: async () => {
    const [source, sink, { readSourceToEnd }] = await Promise.all([import('./source.js'), import('./sink.js'), import('../../core/read-source.js')]);
    return {
      createSource: source.createSource, createSink: sink.createSink,
      // The sink's part files, read as the source reads a directory (sluice reconcile).
      readTable: (ctx) => readSourceToEnd(source.createSource({ ...ctx, fields: ctx.declared }), null),
    };
  },
};
