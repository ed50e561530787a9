// The connectors of this folder are registered under Flink's names and load their implementations lazily.
import { describe, expect, it } from 'vitest';
import { findConnector } from '../../runtime/connectors/registry.js';

describe('connector registry', () => {
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
