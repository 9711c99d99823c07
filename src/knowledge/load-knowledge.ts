import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep, extname, basename, isAbsolute } from 'node:path';
import pLimit from 'p-limit';
import type { Entry, EntryKind, Problem } from './entry.js';
import { parseFrontMatter, FrontMatterError, type FrontMatter } from './parse-front-matter.js';
import { parseCuratedEntry, kindFromFrontMatter, KIND_FOLDERS } from './parse-curated-entry.js';
import { isWeeklyPost, importWeeklyPost } from './import-weekly/index.js';
import { isActivityPage, importActivityPage } from './import-activity.js';

export interface LoadOptions {
  /** Knowledge folders, read in order. */
  dirs: readonly string[];
  /** IANA zone for times written without an offset. */
  zone: string;
  /** Larger files are reported and skipped. */
  maxFileBytes: number;
  /** A file the file system has not handed over in this long is reported and skipped. */
  readTimeoutMs?: number;
  /** Base URL of the website archived pages are published on (config `knowledge.archiveSiteUrl`). */
  archiveSiteUrl?: string;
  /** What files of the same bytes imported to before (the command line's snapshot). */
  importCache?: ImportCache;
}

/**
 * Remembers a file's import by its path and bytes: an import depends on nothing else but the
 * options (zone, site URL), which the cache's owner keys it by.
 */
export interface ImportCache {
  imported(path: string, relativePath: string, bytes: Buffer, importFile: () => FileResult): FileResult;
}


/** What one file contributed: its entries, or the problems that kept them out. */
export interface FileResult {
  file: string;
  entries: Entry[];
  problems: Problem[];
}

export interface KnowledgeLoad {
  entries: Entry[];
  /** Every problem, errors and warnings, in file order. */
  problems: Problem[];
  files: FileResult[];
}

const MARKDOWN = new Set(['.md', '.markdown']);
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const READ_TIMEOUT_MS = 10_000;
// Opening a named pipe for reading waits for a writer, in a libuv thread that nothing can cancel
// and that even process.exit() waits for. Non-blocking, an open returns at once whatever the file
// turned out to be, and fstat then refuses what is not a regular file. O_NOFOLLOW: the path opened
// is already resolved, so a link appearing there since is refused rather than followed.
/** Files read at once; their bytes are held together, up to this many times the file size limit. */
const READ_CONCURRENCY = 8;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

/**
 * Reads every Markdown file under the folders. A broken file is reported and skipped; it never
 * stops the others from loading. Ids must be unique across all folders: a repeat is an error on
 * the later file.
 */
export async function loadKnowledge(options: LoadOptions): Promise<KnowledgeLoad> {
  const files: FileResult[] = [];
  for (const dir of options.dirs) {
    const listed = await listMarkdownFiles(dir);
    if ('problem' in listed) {
      files.push({ file: dir, entries: [], problems: [listed.problem] });
      continue;
    }
    // A few files at a time: each read is several round trips to the file system (realpath, stat,
    // open, read, close), which one after another left the thread idle for most of a load.
    const limit = pLimit(READ_CONCURRENCY);
    files.push(...(await Promise.all(listed.files.map((path) => limit(() => loadFile(path, relative(dir, path), options))))));
    files.push(...listed.linkedFolders);
  }
  return combine(files);
}

/** Merges per-file results, rejecting entries whose id was already taken. */
export function combine(files: FileResult[]): KnowledgeLoad {
  const seen = new Map<string, Entry>();
  const entries: Entry[] = [];
  const problems: Problem[] = [];
  for (const result of files) {
    for (const entry of result.entries) {
      const first = seen.get(entry.id);
      if (first) {
        problems.push({
          file: entry.source.file,
          line: entry.source.line,
          severity: 'error',
          message: `duplicate id "${entry.id}" (first defined at ${first.source.file}:${first.source.line}); this entry is ignored`,
        });
        continue;
      }
      seen.set(entry.id, entry);
      entries.push(entry);
    }
    problems.push(...result.problems);
  }
  return { entries: mergeRepeatedReadings(entries), problems, files };
}

const SITE_HOST = /^https?:\/\/www\.sofastack\.tech\//i;

/**
 * The archive recommends the same article in many posts ("SOFARegistry | 大规模集群优化实践" 13
 * times): one entry per title, in the place of its first, with every URL it was given under
 * (the website's own first) and the date it was first recommended.
 */
function mergeRepeatedReadings(entries: Entry[]): Entry[] {
  const keyOf = (entry: Entry) => (entry.kind === 'reading' ? entry.title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '') : '');
  const groups = new Map<string, Entry[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    if (key) (groups.get(key) ?? groups.set(key, []).get(key))?.push(entry);
  }
  const merged = new Map<Entry, Entry | undefined>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const [first] = group as [Entry, ...Entry[]];
    const links = [...new Map(group.flatMap((e) => [...(e.url ? [{ title: e.title, url: e.url }] : []), ...e.links]).map((l) => [l.url, l])).values()];
    links.sort((a, b) => Number(SITE_HOST.test(b.url)) - Number(SITE_HOST.test(a.url)));
    const url = links[0]?.url;
    merged.set(first, { ...first, ...(url ? { url } : {}), links });
    for (const later of group.slice(1)) merged.set(later, undefined);
  }
  if (merged.size === 0) return entries;
  return entries.flatMap((e) => {
    if (!merged.has(e)) return [e];
    const kept = merged.get(e);
    return kept ? [kept] : [];
  });
}

/** Whether a path (relative to its knowledge folder) is knowledge: Markdown, not hidden, not the authoring guide. */
export function isKnowledgeFile(relativePath: string): boolean {
  if (!MARKDOWN.has(extname(relativePath).toLowerCase())) return false;
  // Hidden files and folders (editor swap files, .git) and the authoring guide are not knowledge.
  if (isHidden(relativePath)) return false;
  return basename(relativePath).toLowerCase() !== 'readme.md';
}

function isHidden(relativePath: string): boolean {
  return relativePath.split(sep).some((part) => part.startsWith('.'));
}

/**
 * Every knowledge file name under the folder, whatever the file is (pipes and links are reported
 * when read), and a warning for each linked folder: readdir never enters one, and neither does
 * the watcher, so no file is knowledge by two paths.
 */
async function listMarkdownFiles(dir: string): Promise<{ files: string[]; linkedFolders: FileResult[] } | { problem: Problem }> {
  try {
    const found = await readdir(dir, { recursive: true, withFileTypes: true });
    const notFolders = found.filter((d) => !d.isDirectory());
    const pathOf = (d: Dirent) => join(d.parentPath, d.name);
    const files = notFolders.map(pathOf).filter((path) => isKnowledgeFile(relative(dir, path))).sort();
    const links = notFolders.filter((d) => d.isSymbolicLink()).map(pathOf);
    const linkedFolders: FileResult[] = [];
    for (const path of links.filter((p) => !isHidden(relative(dir, p)) && !isKnowledgeFile(relative(dir, p))).sort()) {
      if (!(await stat(path).catch(() => undefined))?.isDirectory()) continue;
      const message = 'a symbolic link to a folder is not followed: link the files themselves, or add the folder to KNOWLEDGE_DIR';
      linkedFolders.push({ file: path, entries: [], problems: [{ file: path, line: 1, severity: 'warning', message }] });
    }
    return { files, linkedFolders };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'folder not found' : (err as Error).message;
    return { problem: { file: dir, line: 1, severity: 'error', message: `cannot read knowledge folder: ${reason}` } };
  }
}

/** Reads and imports one file; never throws. */
export async function loadFile(path: string, relativePath: string, options: LoadOptions): Promise<FileResult> {
  const fail = (line: number, message: string): FileResult => ({
    file: path,
    entries: [],
    problems: [{ file: path, line, severity: 'error', message }],
  });
  try {
    const read = await readRegularFile(path, options);
    if ('problem' in read) return fail(1, read.problem);
    const importFile = () => importBytes(path, relativePath, read.bytes, options, fail);
    return options.importCache ? options.importCache.imported(path, relativePath, read.bytes, importFile) : importFile();
  } catch (err) {
    return fail(1, `cannot read file: ${(err as Error).message}`);
  }
}

function importBytes(path: string, relativePath: string, bytes: Buffer, options: LoadOptions, fail: (line: number, message: string) => FileResult): FileResult {
  const decoded = decodeText(bytes);
  if ('problem' in decoded) return fail(decoded.line, decoded.problem);
  if (decoded.text.trim() === '') return fail(1, 'empty file');
  try {
    return importText(path, relativePath, decoded.text, options);
  } catch (err) {
    if (err instanceof FrontMatterError) return fail(err.line, err.message);
    throw err;
  }
}

/**
 * The bytes of a regular file inside the knowledge folders, following a symbolic link only to such
 * a file. Never opens anything else (a named pipe would block the reading thread for good) and
 * gives up after the read timeout, so one file cannot hold the load.
 */
async function readRegularFile(path: string, options: LoadOptions): Promise<{ bytes: Buffer } | { problem: string }> {
  const timeoutMs = options.readTimeoutMs ?? READ_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ problem: string }>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ problem: `the file system did not hand over the file within ${timeoutMs / 1000} s` });
    }, timeoutMs);
  });
  try {
    return await Promise.race([readChecked(path, options, controller.signal), timedOut]);
  } finally {
    // Cleared, not left to fire: a pending timeout would keep the race, and the file's bytes it
    // settled with, alive for its whole length (3.6 MB of the archive after a load).
    clearTimeout(timer);
  }
}

async function readChecked(path: string, options: LoadOptions, signal: AbortSignal): Promise<{ bytes: Buffer } | { problem: string }> {
  const real = await realpath(path);
  const roots = await Promise.all(options.dirs.map((dir) => realpath(dir).catch(() => undefined)));
  if (!roots.some((root) => root !== undefined && isInside(root, real))) {
    return { problem: 'a symbolic link to a file outside the knowledge folders is not followed' };
  }
  const before = notRegular(await stat(real));
  if (before) return { problem: before };
  const handle = await open(real, OPEN_FLAGS);
  try {
    // Checked again on what was opened: the file may have been replaced since the stat.
    const info = await handle.stat();
    const after = notRegular(info);
    if (after) return { problem: after };
    if (info.size > options.maxFileBytes) {
      return { problem: `file is ${formatBytes(info.size)}, over the ${formatBytes(options.maxFileBytes)} limit for a knowledge file` };
    }
    return { bytes: await handle.readFile({ signal }) };
  } finally {
    await handle.close();
  }
}

function notRegular(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  const what = info.isFIFO() ? 'a named pipe' : info.isSocket() ? 'a socket' : info.isDirectory() ? 'a folder' : 'a device';
  return `not a regular file (${what}): only regular files are read`;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function importText(path: string, relativePath: string, text: string, options: LoadOptions): FileResult {
  const frontMatter = parseFrontMatter(text);
  const idPrefix = relativePath.slice(0, -extname(relativePath).length).split(sep).join('/');
  const declared = frontMatter.data.kind;
  const kind = kindFromFrontMatter(declared);
  if (declared !== undefined && !kind) {
    return {
      file: path,
      entries: [],
      problems: [
        {
          file: path,
          line: frontMatter.lineOf(['kind']),
          severity: 'error',
          message: `kind: unknown kind ${typeof declared === 'string' ? JSON.stringify(declared.slice(0, 80)) : '(a list or mapping)'} (use faq, release, event or reading; live, meetup or other for an event)`,
        },
      ],
    };
  }
  const chosen = kind ?? kindFromFolder(relativePath);
  if (chosen) return curated(path, idPrefix, chosen, frontMatter, options.zone);

  const archived = { file: path, idPrefix, data: frontMatter.data, body: frontMatter.body, bodyLine: frontMatter.bodyLine, zone: options.zone, siteUrl: options.archiveSiteUrl };
  if (isWeeklyPost(frontMatter.data, frontMatter.body)) return { file: path, ...importWeeklyPost(archived) };
  if (isActivityPage(frontMatter.data, frontMatter.body)) return { file: path, ...importActivityPage(archived) };
  return {
    file: path,
    entries: [],
    problems: [
      {
        file: path,
        line: 1,
        severity: 'error',
        message:
          'cannot tell what kind of knowledge this is: add `kind: faq` (or release, event, reading) to the front matter, or move the file into a faq/, releases/, events/ or reading/ folder',
      },
    ],
  };
}

function curated(path: string, defaultId: string, kind: EntryKind, frontMatter: FrontMatter, zone: string): FileResult {
  const { entry, problems } = parseCuratedEntry({ file: path, defaultId, kind, frontMatter, zone });
  return { file: path, entries: entry ? [entry] : [], problems };
}

function kindFromFolder(relativePath: string): EntryKind | undefined {
  const folders = relativePath.split(sep).slice(0, -1).reverse();
  for (const folder of folders) {
    const kind = KIND_FOLDERS[folder.toLowerCase()];
    if (kind) return kind;
  }
  return undefined;
}

/** UTF-8 text without a BOM, or where the first invalid byte or NUL is. */
function decodeText(bytes: Buffer): { text: string } | { problem: string; line: number } {
  // A NUL byte never occurs in text; the whole file is the problem, so it is reported at line 1.
  if (bytes.includes(0)) return { problem: 'binary file (contains NUL bytes); knowledge files are UTF-8 Markdown', line: 1 };
  try {
    return { text: UTF8.decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return { problem: 'not valid UTF-8 text; save the file as UTF-8', line: lineAt(bytes, bad) };
  }
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Bisect on the longest prefix that decodes. Streaming mode holds back a sequence cut at the end
  // instead of failing on it, so only genuinely invalid bytes fail and the search is monotonic.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
