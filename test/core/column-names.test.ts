// Column names that are not plain identifiers, down every path that generates object literals: the csv decoder,
// a fused projection, an aggregate's result rows. `__proto__` as a plain literal key would set the prototype
// and the column would vanish.
import { describe, it, expect } from 'vitest';
import { TableEnvironment, $, lit, DataTypes } from 'sluice';
import { collectBothWays, registerCsv, sortRows, writeCsv } from '../helpers/tables.js';

describe('column names', () => {
  const input = [['a', 1], ['b', 2], ['a', 3]];
  const setup = () => {
    const tEnv = TableEnvironment.create();
    registerCsv(tEnv, { name: 't', columns: [['__proto__', DataTypes.STRING()], ['my col', DataTypes.BIGINT()]], file: writeCsv(input) });
    return tEnv;
  };

  it('keeps __proto__ and names with spaces as columns through projections and aggregates', async () => {
    const tEnv = setup();
    const projected = await collectBothWays(() => tEnv.from('t').select($('__proto__'), $('my col').plus(lit(1)).as('my col')));
    expect(projected.map((r) => Object.getOwnPropertyNames(r))).toEqual(input.map(() => ['__proto__', 'my col']));
    expect(sortRows(projected.map((r) => ({ p: r.__proto__, n: r['my col'] })))).toEqual(sortRows(input.map(([p, n]) => ({ p, n: (n as number) + 1 }))));
    const counted = await collectBothWays(() => tEnv.from('t').groupBy($('__proto__')).select($('__proto__'), $('my col').sum().as('total')));
    expect(sortRows(counted.map((r) => ({ p: Object.hasOwn(r, '__proto__') ? r.__proto__ : 'missing', total: r.total })))).toEqual([{ p: 'a', total: 4 }, { p: 'b', total: 2 }]);
  });
});
