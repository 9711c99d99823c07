import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { UnansweredState } from './unanswered-log.js';

/** The unanswered log's file exists but cannot be read as one. */
export class UnansweredFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnansweredFileError';
  }
}

const variant = z.object({ text: z.string(), count: z.number().int().min(0), firstSeen: z.string(), lastSeen: z.string() });
const fileSchema = z.object({
  version: z.literal(1),
  groups: z.array(
    z.object({
      id: z.string().min(1),
      variants: z.array(variant),
      chats: z.record(z.string(), z.number().int().min(0)),
      days: z.record(z.string(), z.number().int().min(0)),
    }),
  ),
});

/** The file's content as written by `serializeUnanswered`. */
export function serializeUnanswered(state: UnansweredState): string {
  return `${JSON.stringify({ version: 1, groups: state.groups })}\n`;
}

/** Reads the unanswered log's file; a missing file is an empty log, anything unreadable an UnansweredFileError. */
export async function readUnansweredFile(file: string): Promise<UnansweredState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { groups: [] };
    throw new UnansweredFileError(`${file}: cannot read: ${(err as Error).message}`);
  }
  return parseUnanswered(text, file);
}

/** Reads the stored form `serializeUnanswered` wrote; `where` (a file, a Redis key) names it in the error. */
export function parseUnanswered(text: string, where: string): UnansweredState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UnansweredFileError(`${where}: not JSON: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnansweredFileError(`${where}: not an unanswered-questions file: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unreadable'}`);
  }
  return { groups: parsed.data.groups };
}
