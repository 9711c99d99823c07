// The calendar day of an instant in a zone, as YYYY-MM-DD, and day arithmetic on such strings.
// Used on every unanswered question, where luxon's zone conversion cost more than the rest of the
// record: one cached Intl formatter per zone does the same.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD of `epochMs` in the IANA `zone`. */
export function calendarDay(epochMs: number, zone: string): string {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // en-CA writes dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, formatter);
  }
  return formatter.format(epochMs);
}

/** The day `days` before a YYYY-MM-DD day: calendar arithmetic, the same in every zone. */
export function daysBefore(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}
