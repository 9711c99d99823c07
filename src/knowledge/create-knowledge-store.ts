import { relative, resolve } from 'node:path';
import { existsSync, lstatSync, type Stats } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../logger.js';
import { formatProblem } from './entry.js';
import { combine, isKnowledgeFile, loadFile, loadKnowledge, type FileResult, type KnowledgeLoad, type LoadOptions } from './load-knowledge.js';

export interface KnowledgeStore {
  /** Loads every folder; resolves with the first knowledge. */
  load(): Promise<KnowledgeLoad>;
  /** The knowledge now, undefined before the first load. */
  current(): KnowledgeLoad | undefined;
  /** Watches the folders and reloads changed files; `onChange` gets each new knowledge. */
  watch(onChange: (knowledge: KnowledgeLoad) => void): Promise<void>;
  /** Re-reads every file now (the admins' `reload` command). */
  reload(): Promise<KnowledgeLoad>;
  close(): Promise<void>;
}

export interface KnowledgeStoreOptions extends LoadOptions {
  logger: Logger;
  /** How long edits settle before they are applied: editors write a file in several steps. */
  settleMs?: number;
}

/**
 * The knowledge, kept current as admins edit it. A file that breaks keeps serving its last good
 * entries while its error is reported (logs, /readyz), so a typo never takes an answer away.
 */
export function createKnowledgeStore(options: KnowledgeStoreOptions): KnowledgeStore {
  const log = options.logger.child({ module: 'knowledge' });
  // Per file: what it serves (its last good entries) and its current problems.
  const files = new Map<string, FileResult>();
  let knowledge: KnowledgeLoad | undefined;
  let watcher: FSWatcher | undefined;
  // Reloads and watched refreshes run one at a time, in order: a full reload that read a file
  // before an edit must not apply its old version after the edit's refresh.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const next = chain.then(run);
    chain = next.catch(() => undefined);
    return next;
  };

  const publish = (): KnowledgeLoad => {
    knowledge = combine([...files.values()].sort((a, b) => a.file.localeCompare(b.file)));
    return knowledge;
  };

  /** Takes a file's new result, keeping its last good entries when the new one has errors. */
  const apply = (result: FileResult) => {
    const previous = files.get(result.file);
    const broken = result.problems.some((p) => p.severity === 'error');
    if (broken) {
      for (const problem of result.problems) log.error(formatProblem(problem));
      if (previous && previous.entries.length > 0) log.warn({ file: result.file }, 'keeping the last good version of this file');
    }
    files.set(result.file, broken && previous ? { ...result, entries: previous.entries } : result);
  };

  const loadAll = async (): Promise<KnowledgeLoad> => {
    const loaded = await loadKnowledge(options);
    for (const result of loaded.files) apply(result);
    // Files that disappeared while the bot was reloading are gone from the new listing.
    const listed = new Set(loaded.files.map((f) => f.file));
    for (const file of [...files.keys()]) if (!listed.has(file)) files.delete(file);
    return publish();
  };

  const refresh = async (dir: string, changed: Set<string>, onChange: (k: KnowledgeLoad) => void) => {
    for (const path of changed) {
      if (!existsSync(path)) {
        files.delete(path);
        log.info({ file: path }, 'knowledge file removed');
        continue;
      }
      apply(await loadFile(path, relative(dir, path), options));
      log.info({ file: path }, 'knowledge file reloaded');
    }
    onChange(publish());
  };

  return {
    load: loadAll,
    current: () => knowledge,
    reload: () => exclusive(loadAll),
    async watch(onChange) {
      const pending = new Map<string, Set<string>>();
      const timers = new Map<string, NodeJS.Timeout>();
      // A linked folder is not entered, just as the full load's listing never enters one: a file
      // is knowledge by one path only, and a link to / cannot make the watcher walk the disk.
      const roots = new Set(options.dirs.map((dir) => resolve(dir)));
      const isLinkedFolder = (path: string, stats?: Stats) =>
        stats?.isDirectory() === true && !roots.has(resolve(path)) && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;
      watcher = watch([...options.dirs], { ignoreInitial: true, awaitWriteFinish: false, ignored: isLinkedFolder });
      const dirOf = (path: string) => options.dirs.find((dir) => !relative(dir, path).startsWith('..'));
      const onEvent = (path: string) => {
        const dir = dirOf(path);
        if (!dir || !isKnowledgeFile(relative(dir, path))) return;
        const batch = pending.get(dir) ?? new Set<string>();
        batch.add(path);
        pending.set(dir, batch);
        clearTimeout(timers.get(dir));
        timers.set(
          dir,
          setTimeout(() => {
            const changed = pending.get(dir) ?? new Set<string>();
            pending.delete(dir);
            // One refresh at a time, in order, so a quick second edit cannot be overtaken.
            exclusive(() => refresh(dir, changed, onChange)).catch((err: unknown) =>
              log.error({ err: err instanceof Error ? err.message : String(err) }, 'knowledge reload failed'),
            );
          }, options.settleMs ?? 150),
        );
      };
      watcher.on('add', onEvent).on('change', onEvent).on('unlink', onEvent);
      await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
      log.info({ dirs: options.dirs }, 'watching the knowledge folders for edits');
    },
    async close() {
      await watcher?.close();
    },
  };
}
