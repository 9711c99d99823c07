const OFFSET = /^(\d{1,4})([dhm])$/;
const MINUTES = { d: 24 * 60, h: 60, m: 1 } as const;

/** Reads a reminder offset such as "1d", "2h" or "15m" as minutes; undefined when malformed. */
export function parseOffset(text: string): number | undefined {
  const match = OFFSET.exec(text.trim());
  if (!match) return undefined;
  const minutes = Number(match[1]) * MINUTES[match[2] as keyof typeof MINUTES];
  return minutes > 0 ? minutes : undefined;
}
