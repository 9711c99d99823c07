import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep, extname, basename } from 'node:path';
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
    for (const path of listed.files) files.push(await loadFile(path, relative(dir, path), options));
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
  return { entries, problems, files };
}

/** Whether a path (relative to its knowledge folder) is knowledge: Markdown, not hidden, not the authoring guide. */
export function isKnowledgeFile(relativePath: string): boolean {
  if (!MARKDOWN.has(extname(relativePath).toLowerCase())) return false;
  // Hidden files and folders (editor swap files, .git) and the authoring guide are not knowledge.
  if (relativePath.split(sep).some((part) => part.startsWith('.'))) return false;
  return basename(relativePath).toLowerCase() !== 'readme.md';
}

async function listMarkdownFiles(dir: string): Promise<{ files: string[] } | { problem: Problem }> {
  try {
    const found = await readdir(dir, { recursive: true, withFileTypes: true });
    const files = found
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name))
      .filter((path) => isKnowledgeFile(relative(dir, path)))
      .sort();
    return { files };
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
    const size = (await stat(path)).size;
    if (size > options.maxFileBytes) {
      return fail(1, `file is ${formatBytes(size)}, over the ${formatBytes(options.maxFileBytes)} limit for a knowledge file`);
    }
    const bytes = await readFile(path);
    const decoded = decodeText(bytes);
    if ('problem' in decoded) return fail(decoded.line, decoded.problem);
    if (decoded.text.trim() === '') return fail(1, 'empty file');
    return importText(path, relativePath, decoded.text, options);
  } catch (err) {
    if (err instanceof FrontMatterError) return fail(err.line, err.message);
    return fail(1, `cannot read file: ${(err as Error).message}`);
  }
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

  const archived = { file: path, idPrefix, data: frontMatter.data, body: frontMatter.body, bodyLine: frontMatter.bodyLine, zone: options.zone };
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
