import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import writeFileAtomic from 'write-file-atomic';
import type { FileResult, ImportCache, LoadOptions } from '../knowledge/load-knowledge.js';
import type { SearchConfig, Segmented, SegmentCache } from '../search/create-answerer.js';
import type { NarrowedDictionary } from '../search/create-tokenizer.js';

/**
 * What the command line keeps between runs, so a question over the archive is answered in well
 * under a second: each file's import, by its bytes, each entry's words, by its text, and the
 * narrowed dictionary made for all of them, by a digest of every text that was cut. Nothing
 * is trusted by a file's name or time: a file is read and hashed on every run, and a snapshot
 * made by other code (any source file or installed package differs) or other settings is
 * ignored. A snapshot is therefore never stale, only unused; what changed is imported and
 * segmented again, the rest comes from the snapshot.
 */
export interface KnowledgeSnapshot {
  importCache: ImportCache;
  segmentCache: SegmentCache;
  /** Writes what this run used (and only that) when it differs from what was read. */
  save(): Promise<void>;
}

const FORMAT = 2;
/** Snapshots kept in the folder, the least recently used removed first (one per set of folders). */
const MAX_SNAPSHOTS = 8;
const PREFIX = 'knowledge-';

interface SnapshotFile {
  format: number;
  /** The code and packages that made it. */
  engine: string;
  /** The settings the imports and the words depend on. */
  settings: string;
  files: Record<string, FileResult>;
  segments: Record<string, Segmented>;
  /** The narrowed dictionary of the last build, by its key: a megabyte or two, so only one. */
  dictionary?: { key: string; dictionary: NarrowedDictionary };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export async function openKnowledgeSnapshot(options: {
  cacheDir: string;
  load: Omit<LoadOptions, 'importCache'>;
  search: SearchConfig;
}): Promise<KnowledgeSnapshot> {
  const { cacheDir, load, search } = options;
  const { dirs, zone, maxFileBytes, archiveSiteUrl, readTimeoutMs } = load;
  const file = join(cacheDir, `${PREFIX}${sha256(JSON.stringify(dirs.map((d) => resolve(d)))).slice(0, 16)}.json`);
  const engine = await engineVersion();
  const settings = sha256(JSON.stringify({ dirs, zone, maxFileBytes, archiveSiteUrl, readTimeoutMs, search }));
  const previous = await readSnapshot(file, engine, settings);
  const files: Record<string, FileResult> = {};
  const segments: Record<string, Segmented> = {};
  let changed = !previous;
  // validate and export segment nothing: the words of the last ask are kept for the next.
  let segmented = false;
  let dictionary = previous?.dictionary;

  return {
    importCache: {
      imported(path, relativePath, bytes, importFile) {
        const key = `${path}\u0000${relativePath}\u0000${sha256(bytes)}`;
        const cached = previous?.files[key];
        if (!cached) changed = true;
        return (files[key] = cached ?? importFile());
      },
    },
    segmentCache: {
      get: (key) => {
        segmented = true;
        const cached = previous?.segments[key];
        if (cached) segments[key] = cached;
        return cached;
      },
      set: (key, segmented) => {
        changed = true;
        segments[key] = segmented;
      },
      getDictionary: (key) => (dictionary?.key === key ? dictionary.dictionary : undefined),
      setDictionary: (key, made) => {
        changed = true;
        dictionary = { key, dictionary: made };
      },
    },
    async save() {
      if (!segmented && previous) Object.assign(segments, previous.segments);
      const unused = previous !== undefined && (Object.keys(previous.files).length !== Object.keys(files).length || Object.keys(previous.segments).length !== Object.keys(segments).length);
      if (!changed && !unused) {
        // Recently used: kept when older snapshots are removed.
        const now = new Date();
        await utimes(file, now, now).catch(() => undefined);
        return;
      }
      await mkdir(cacheDir, { recursive: true });
      const snapshot: SnapshotFile = { format: FORMAT, engine, settings, files, segments, ...(dictionary ? { dictionary } : {}) };
      await writeFileAtomic(file, JSON.stringify(snapshot));
      await pruneSnapshots(cacheDir);
    },
  };
}

async function readSnapshot(file: string, engine: string, settings: string): Promise<SnapshotFile | undefined> {
  try {
    const snapshot = JSON.parse(await readFile(file, 'utf8')) as Partial<SnapshotFile>;
    if (snapshot.format !== FORMAT || snapshot.engine !== engine || snapshot.settings !== settings) return undefined;
    if (typeof snapshot.files !== 'object' || typeof snapshot.segments !== 'object' || !snapshot.files || !snapshot.segments) return undefined;
    const kept = snapshot.dictionary;
    if (kept && !(typeof kept.key === 'string' && typeof kept.dictionary?.lines === 'string' && Array.isArray(kept.dictionary.added))) delete snapshot.dictionary;
    return snapshot as SnapshotFile;
  } catch {
    // Missing, or unreadable: built again.
    return undefined;
  }
}

async function pruneSnapshots(cacheDir: string): Promise<void> {
  const names = (await readdir(cacheDir)).filter((n) => n.startsWith(PREFIX) && n.endsWith('.json'));
  if (names.length <= MAX_SNAPSHOTS) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(cacheDir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => b.mtime - a.mtime);
  await Promise.all(dated.slice(MAX_SNAPSHOTS).map(({ name }) => unlink(join(cacheDir, name)).catch(() => undefined)));
}

let engine: Promise<string> | undefined;

/**
 * A digest of the code that imports and segments (every source or compiled file of the bot) and of
 * the packages installed (npm's record of them), so a snapshot made by other code is never used.
 */
function engineVersion(): Promise<string> {
  engine ??= (async () => {
    // This file is src/cache/…, compiled to dist/src/cache/… and bundled into dist/cli.js: the code
    // is src/ when run from source, dist/src/ (what the bundle was made from) when compiled.
    const here = fileURLToPath(import.meta.url);
    const root = packageRoot(dirname(here));
    const code = here.startsWith(join(root, 'dist') + sep) ? join(root, 'dist', 'src') : join(root, 'src');
    const names = (await readdir(code, { recursive: true })).filter((n) => /\.(?:js|ts)$/.test(n)).sort();
    const contents = await Promise.all(names.map((name) => readFile(join(code, name))));
    const hash = createHash('sha256');
    names.forEach((name, i) => hash.update(`${name}\u0000`).update(contents[i] ?? ''));
    for (const lock of ['node_modules/.package-lock.json', 'package-lock.json']) {
      const bytes = await readFile(join(root, lock)).catch(() => undefined);
      if (bytes) {
        hash.update(bytes);
        break;
      }
    }
    return hash.digest('hex');
  })();
  return engine;
}

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}
