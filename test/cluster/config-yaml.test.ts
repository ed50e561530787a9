// config.yaml is read with a YAML parser, as Flink 2 reads its config.yaml: flat and nested keys give the same
// options, values are strings, lists take Flink's a;b form, and a syntax error names file:line:col.
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../runtime/cluster/config.js';

describe('config.yaml', () => {
  it('flat keys, nested maps, comments, quotes, numbers and lists', () => {
    const text = [
      '# cluster settings',
      'rest.port: 8082',
      'taskmanager:',
      '  numberOfTaskSlots: 2   # as the playground',
      'state:',
      '  checkpoints:',
      '    dir: "file:///tmp/ck # not a comment"',
      '    num-retained: 5',
      "execution.checkpointing.interval: '10 s'",
      'pipeline.jars: [a.jar, b.jar]',
      'web.cancel.enable: true',
    ].join('\n');
    expect(parseConfigFile(text)).toEqual({
      'rest.port': '8082',
      'taskmanager.numberOfTaskSlots': '2',
      'state.checkpoints.dir': 'file:///tmp/ck # not a comment',
      'state.checkpoints.num-retained': '5',
      'execution.checkpointing.interval': '10 s',
      'pipeline.jars': 'a.jar;b.jar',
      'web.cancel.enable': 'true',
    });
    expect(parseConfigFile('')).toEqual({});
    expect(parseConfigFile('# only a comment\n')).toEqual({});
  });

  it('a syntax error names file, line and column; a document that is not a map is refused', () => {
    expect(() => parseConfigFile('rest.port: 8081\ntaskmanager:\n  slots: [1, 2\n', '/c/config.yaml')).toThrow(/^\/c\/config\.yaml:\d+:\d+: /);
    expect(() => parseConfigFile('a: 1\nb: "open\nc: 3', 'config.yaml')).toThrow(/^config\.yaml:\d+:\d+: .*quote/);
    expect(() => parseConfigFile('a: 1\na: 2\n', 'config.yaml')).toThrow(/^config\.yaml:2:1: .*unique/i);
    expect(() => parseConfigFile('just words\n', 'config.yaml')).toThrow(/config\.yaml: expected a map of options/);
    expect(() => parseConfigFile('- a\n- b\n', 'config.yaml')).toThrow(/expected a map of options \(key: value\), got a list/);
  });
});
