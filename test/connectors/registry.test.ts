// The connectors of this folder are registered under Flink's names and load their implementations lazily.
import { describe, expect, it } from 'vitest';
import { connectors, findConnector } from '../../runtime/connectors/registry.js';

describe('connector registry', () => {
  it('declares changelogs, primary keys and bundling as each connector behaves', () => {
    const declared = Object.fromEntries([...connectors.values()].map((c) => [c.name, [c.produces ?? 'insert-only', c.sinkAccepts, c.primaryKey ?? 'never', c.bundle ?? 'when-used'].join(' ')]));
    expect(declared).toEqual({
      datagen: 'insert-only insert-only never always',
      print: 'insert-only upsert never always',
      blackhole: 'insert-only upsert never always',
      filesystem: 'insert-only insert-only never always',
      collect: 'insert-only upsert never always',
      kafka: 'insert-only insert-only never when-used',
      'upsert-kafka': 'upsert upsert always when-used',
      jdbc: 'insert-only upsert for-updates when-used',
      'elasticsearch-7': 'insert-only upsert for-updates when-used',
    });
  });

  it('registers datagen, print, blackhole and filesystem with their roles', async () => {
    const expected: Record<string, { roles: string[]; sinkAccepts: string }> = {
      datagen: { roles: ['source'], sinkAccepts: 'insert-only' },
      print: { roles: ['sink'], sinkAccepts: 'upsert' },
      blackhole: { roles: ['sink'], sinkAccepts: 'upsert' },
      filesystem: { roles: ['source', 'sink'], sinkAccepts: 'insert-only' },
    };
    for (const [name, want] of Object.entries(expected)) {
      const c = findConnector(name)!;
      expect(c, name).toBeDefined();
      expect({ roles: c.roles, sinkAccepts: c.sinkAccepts }).toEqual(want);
      const mod = await c.load();
      expect(typeof mod.createSource === 'function').toBe(c.roles.includes('source'));
      expect(typeof mod.createSink === 'function').toBe(c.roles.includes('sink'));
    }
  });
});
