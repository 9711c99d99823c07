import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { POST_KINDS } from '../config/config-schema.js';
import type { Subscription, Subscriptions } from './state-store.js';
import { parseStoredJson } from './parse-stored-json.js';

/** The file in DATA_DIR, also read by `cli subscriptions`. */
export const SUBSCRIPTIONS_FILE = 'subscriptions.json';

const fileSchema = z.record(
  z.string(),
  z.object({ title: z.string(), posts: z.partialRecord(z.enum(POST_KINDS), z.string()) }),
);
type Groups = z.infer<typeof fileSchema>;

/** Reads a subscriptions file's text; `where` names it in the error. */
export function parseSubscriptions(text: string, where: string): Subscription[] {
  return toList(parseStoredJson(text, fileSchema, where, 'a subscriptions file'));
}

const toList = (groups: Groups): Subscription[] =>
  Object.entries(groups)
    .filter(([, group]) => Object.keys(group.posts).length > 0)
    .map(([openConversationId, { title, posts }]) => ({ openConversationId, title, posts: { ...posts } }));

/**
 * The embedded subscriptions: one JSON file in DATA_DIR, replaced atomically (temp file, fsync,
 * rename) so a kill -9 leaves the old or the new one. Changes are chained, so two admins at once
 * cannot overwrite each other. An unreadable file is an error, never silently emptied.
 */
export function createFileSubscriptions(dataDir: string): Subscriptions {
  const file = join(dataDir, SUBSCRIPTIONS_FILE);
  let queue: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<Groups> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    return Object.fromEntries(parseSubscriptions(text, file).map(({ openConversationId, ...group }) => [openConversationId, group]));
  };
  const change = <T>(edit: (groups: Groups) => T): Promise<T> => {
    const run = queue.then(async () => {
      const groups = await load();
      const result = edit(groups);
      await mkdir(dataDir, { recursive: true });
      await writeFileAtomic(file, `${JSON.stringify(groups, null, 1)}\n`, { fsync: true });
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    async list() {
      await queue;
      return toList(await load());
    },
    subscribe({ openConversationId, title }, kinds, at) {
      return change((groups) => {
        const group = (groups[openConversationId] ??= { title, posts: {} });
        group.title = title;
        for (const kind of kinds) group.posts[kind] ??= at;
        return { openConversationId, title, posts: { ...group.posts } };
      });
    },
    unsubscribe(openConversationId, kinds) {
      return change((groups) => {
        const group = groups[openConversationId];
        if (!group) return undefined;
        for (const kind of kinds) delete group.posts[kind];
        if (Object.keys(group.posts).length > 0) return { openConversationId, title: group.title, posts: { ...group.posts } };
        delete groups[openConversationId];
        return undefined;
      });
    },
  };
}
