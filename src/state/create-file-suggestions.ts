import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { PENDING_SUGGESTIONS_MS, type PendingSuggestions } from './state-store.js';

const fileSchema = z.record(z.string(), z.object({ ids: z.array(z.string()), expires: z.number() }));
type Lists = z.infer<typeof fileSchema>;

/**
 * The embedded pending "did you mean" lists: one JSON file in DATA_DIR, so a `1` sent just before a
 * restart still picks after it. At most `maxLists`, the soonest to expire dropped first. Writes are
 * chained, so two lists stored at once cannot overwrite each other's file.
 */
export function createFileSuggestions(dataDir: string, maxLists = 10_000): PendingSuggestions {
  const file = join(dataDir, 'suggestions.json');
  let loaded: Promise<Lists> | undefined;
  let writing = Promise.resolve();
  const load = () =>
    (loaded ??= readFile(file, 'utf8')
      .then((text): Lists => fileSchema.parse(JSON.parse(text)))
      // Missing or unreadable: nothing pending; at worst a member asks again.
      .catch((): Lists => ({})));
  return {
    async get(key, nowMs) {
      const list = (await load())[key];
      return list && list.expires > nowMs ? list.ids : undefined;
    },
    async set(key, ids, nowMs) {
      const lists = await load();
      lists[key] = { ids: [...ids], expires: nowMs + PENDING_SUGGESTIONS_MS };
      const live = Object.entries(lists)
        .filter(([, list]) => list.expires > nowMs)
        .sort(([, a], [, b]) => b.expires - a.expires)
        .slice(0, maxLists);
      const kept: Lists = Object.fromEntries(live);
      loaded = Promise.resolve(kept);
      const text = JSON.stringify(kept);
      // After a failed write (a full disk, say) the next one still runs.
      writing = writing.catch(() => undefined).then(async () => {
        await mkdir(dataDir, { recursive: true });
        await writeFileAtomic(file, text, { fsync: true });
      });
      await writing;
    },
  };
}
