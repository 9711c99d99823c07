import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { PENDING_SUGGESTIONS_MS, type PendingSuggestions } from './state-store.js';

const fileSchema = z.record(z.string(), z.object({ ids: z.array(z.string()), expires: z.number() }));
type Lists = z.infer<typeof fileSchema>;

/** Writes the file's text to disk, durably; a parameter so a test can count the writes. */
export type WriteSuggestionsFile = (file: string, text: string) => Promise<void>;
const writeDurably: WriteSuggestionsFile = (file, text) => writeFileAtomic(file, text, { fsync: true });

/**
 * The embedded pending "did you mean" lists: one JSON file in DATA_DIR, so a `1` sent just before a
 * restart still picks after it. At most `maxLists`, the soonest to expire dropped first. Lists
 * stored while a write is on its way go to disk together in the next one (each `set` resolves once
 * a write holding its list is done): one write a list, each rewriting the whole file with an fsync,
 * queued every reply behind the disk under load (seconds at a thousand suggestions a second).
 */
export function createFileSuggestions(dataDir: string, maxLists = 10_000, writeFile: WriteSuggestionsFile = writeDurably): PendingSuggestions {
  const file = join(dataDir, 'suggestions.json');
  let loaded: Promise<Lists> | undefined;
  let lists: Lists = {};
  let latestMs = 0;
  let writing = Promise.resolve();
  let nextWrite: Promise<void> | undefined;
  const load = () =>
    (loaded ??= readFile(file, 'utf8')
      .then((text): Lists => fileSchema.parse(JSON.parse(text)))
      // Missing or unreadable: nothing pending; at worst a member asks again.
      .catch((): Lists => ({}))
      .then((read) => (lists = read)));
  const write = async () => {
    nextWrite = undefined;
    const live = Object.entries(lists)
      .filter(([, list]) => list.expires > latestMs)
      .sort(([, a], [, b]) => b.expires - a.expires)
      .slice(0, maxLists);
    lists = Object.fromEntries(live);
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(lists));
  };
  // After a failed write (a full disk, say) the next one still runs.
  const save = () => (nextWrite ??= writing = writing.catch(() => undefined).then(write));
  return {
    async get(key, nowMs) {
      await load();
      const list = lists[key];
      return list && list.expires > nowMs ? list.ids : undefined;
    },
    async set(key, ids, nowMs) {
      await load();
      lists[key] = { ids: [...ids], expires: nowMs + PENDING_SUGGESTIONS_MS };
      latestMs = Math.max(latestMs, nowMs);
      await save();
    },
  };
}
