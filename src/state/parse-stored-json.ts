import type { z } from 'zod';

/** Reads stored JSON text against `schema`; the error names `where` (a file or key) and `what` it should be. */
export function parseStoredJson<T extends z.ZodType>(text: string, schema: T, where: string, what: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where}: not ${what}: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: not ${what}: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  return parsed.data;
}
