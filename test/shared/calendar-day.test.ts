import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { calendarDay, daysBefore } from '../../src/shared/calendar-day.js';

describe('calendarDay', () => {
  it('gives the day in the zone, as luxon does, across midnight and zones', () => {
    const instants = ['2024-05-20T15:59:59Z', '2024-05-20T16:00:00Z', '2024-12-31T23:30:00Z', '2024-03-10T07:30:00Z'].map((iso) => Date.parse(iso));
    for (const zone of ['Asia/Shanghai', 'UTC', 'America/New_York', 'Pacific/Kiritimati']) {
      for (const at of instants) expect(calendarDay(at, zone), `${zone} ${at}`).toBe(DateTime.fromMillis(at, { zone }).toISODate());
    }
    expect(calendarDay(Date.parse('2024-05-20T16:00:00Z'), 'Asia/Shanghai')).toBe('2024-05-21');
  });
});

describe('daysBefore', () => {
  it('counts calendar days back across months, years and leap days', () => {
    expect(daysBefore('2024-05-20', 56)).toBe('2024-03-25');
    expect(daysBefore('2024-03-01', 1)).toBe('2024-02-29');
    expect(daysBefore('2025-01-03', 7)).toBe('2024-12-27');
    expect(daysBefore('2024-05-20', 0)).toBe('2024-05-20');
  });
});
