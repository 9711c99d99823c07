import type { Entry, EventEntry } from './entry.js';

/** Events that have not started by `now`, soonest first. */
export function upcomingEvents(entries: readonly Entry[], now: Date): EventEntry[] {
  return entries
    .filter((e): e is EventEntry => e.kind === 'event' && Date.parse(e.start) >= now.getTime())
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
