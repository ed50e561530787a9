// The operations playground's ClickEventGenerator: six pages in turn, each page's timestamps advancing by
// 15000 / 1000 = 15 ms per click, so every page gets exactly EVENTS_PER_WINDOW clicks in every 15 s window
// (the Click Event Count job's window). The Java generator starts every page at epoch 0; this one starts at
// a window boundary (by default the current one), so the counts stay exact and the times look current.
//
// Deviation: the playground writes {"timestamp":"dd-MM-yyyy hh:mm:ss:SSS","page":"/help"} (Jackson, 12-hour
// clock without AM/PM, so it loses 12 hours twice a day). We write Flink's SQL spelling
// 'yyyy-MM-dd HH:mm:ss.SSS' (UTC), which a `timestamp TIMESTAMP(3)` column of a json table reads as is.
import { formatTimestamp } from '../core/values.js';
import type { OutRecord } from '../connectors/kafka/client.js';

export const CLICK_PAGES = ['/help', '/index', '/shop', '/jobs', '/about', '/news'] as const;
const EVENTS_PER_WINDOW = 1000;
const CLICK_WINDOW_MS = 15_000;
const STEP_MS = CLICK_WINDOW_MS / EVENTS_PER_WINDOW;

export interface ClickEvent {
  /** Epoch millis. */
  timestamp: number;
  page: string;
}

/** The playground's ClickIterator. */
export class ClickIterator {
  private readonly nextTimestamp: number[];
  private nextPage = 0;

  /** `startMs` is floored to a window boundary: the equal counts hold per window only from a boundary on. */
  constructor(startMs: number = Date.now()) {
    const start = Math.floor(startMs / CLICK_WINDOW_MS) * CLICK_WINDOW_MS;
    this.nextTimestamp = CLICK_PAGES.map(() => start);
  }

  next(): ClickEvent {
    const i = this.nextPage;
    this.nextPage = i === CLICK_PAGES.length - 1 ? 0 : i + 1;
    const timestamp = this.nextTimestamp[i];
    this.nextTimestamp[i] = timestamp + STEP_MS;
    return { timestamp, page: CLICK_PAGES[i] };
  }
}

/** A click as a record value (no key, as the playground's serializer). */
export function clickRecord(e: ClickEvent): OutRecord {
  return { key: null, value: JSON.stringify({ timestamp: formatTimestamp(e.timestamp, 3), page: e.page }) };
}
