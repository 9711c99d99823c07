import { lastSeenOf } from './record-unanswered.js';
import type { UnansweredGroup, UnansweredQuery, UnansweredState } from './unanswered-log.js';

/**
 * The groups as admins read them, most asked first (then most recently asked). With `from`/`to`,
 * only asks on those days count and groups not asked then are left out.
 */
export function listUnanswered(state: UnansweredState, query: UnansweredQuery = {}): UnansweredGroup[] {
  const windowed = query.from !== undefined || query.to !== undefined;
  const inWindow = (day: string) => (query.from === undefined || day >= query.from) && (query.to === undefined || day <= query.to);
  const listed: UnansweredGroup[] = [];
  for (const group of state.groups) {
    const [first, ...others] = group.variants;
    if (!first) continue;
    const count = windowed
      ? Object.entries(group.days).reduce((sum, [day, n]) => (inWindow(day) ? sum + n : sum), 0)
      : group.variants.reduce((sum, v) => sum + v.count, 0);
    if (count === 0) continue;
    listed.push({
      id: group.id,
      question: first.text,
      count,
      firstSeen: group.variants.reduce((earliest, v) => (v.firstSeen < earliest ? v.firstSeen : earliest), first.firstSeen),
      lastSeen: lastSeenOf(group),
      variants: others.map((v) => ({ ...v })),
      chats: Object.entries(group.chats)
        .sort((a, b) => b[1] - a[1])
        .map(([chat, n]) => ({ chat, count: n })),
    });
  }
  listed.sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen));
  return query.limit === undefined ? listed : listed.slice(0, Math.max(0, query.limit));
}
