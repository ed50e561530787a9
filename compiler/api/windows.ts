// Group windows as Flink's Table API writes them: Tumble.over(...).on(...).as(...), Slide, Session.
import type { GroupWindowDef } from '../ir/logical-expr.js';
import { callerLoc } from '../ir/source-loc.js';
import { toNode, type Expression } from './expressions.js';

export type { GroupWindowDef };

export class GroupWindow {
  constructor(readonly def: GroupWindowDef) {}
}

class WindowOn<T extends Omit<GroupWindowDef, 'on' | 'alias'>> {
  constructor(private readonly partial: T) {}
  on(timeField: Expression): WindowAs {
    return new WindowAs({ ...this.partial, on: toNode(timeField) });
  }
}

class WindowAs {
  constructor(private readonly partial: Omit<GroupWindowDef, 'alias'>) {}
  as(alias: string): GroupWindow {
    return new GroupWindow({ ...this.partial, alias });
  }
}

export const Tumble = {
  over: (size: Expression) => new WindowOn({ type: 'tumble', size: toNode(size), loc: callerLoc() }),
};

export const Slide = {
  over: (size: Expression) => ({
    every: (slide: Expression) => new WindowOn({ type: 'slide', size: toNode(size), slide: toNode(slide), loc: callerLoc() }),
  }),
};

export const Session = {
  withGap: (gap: Expression) => new WindowOn({ type: 'session', gap: toNode(gap), loc: callerLoc() }),
};
