import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Logger } from '../logger.js';
import type { QuestionAnalyser } from '../search/create-question-analyser.js';
import { listUnanswered } from './list-unanswered.js';
import { readUnansweredFile, serializeUnanswered } from './read-unanswered-file.js';
import { recordUnanswered, textsToAnalyse, type UnansweredLimits } from './record-unanswered.js';
import type { UnansweredLog, UnansweredState } from './unanswered-log.js';

export interface FileUnansweredLogOptions {
  dataDir: string;
  /** IANA zone of the calendar days asks are counted in. */
  zone: string;
  /** How questions are grouped: the engine's tokenizer, in this thread or in the answering worker. */
  analyser: QuestionAnalyser;
  logger: Logger;
  /** Records are written together this long after the first of them: a busy hour costs a few writes. */
  flushDelayMs?: number;
  limits?: Partial<UnansweredLimits>;
}

/** The file name in DATA_DIR. */
export const UNANSWERED_FILE = 'unanswered.json';

/**
 * The embedded unanswered log: the state in memory, written to DATA_DIR/unanswered.json atomically
 * a little after it changes, so answering never waits for the disk. A file that cannot be read is
 * moved aside (unanswered.json.corrupt-<time>) and the log starts empty: losing the counts is
 * better than not answering.
 */
export function createFileUnansweredLog(options: FileUnansweredLogOptions): UnansweredLog {
  const log = options.logger.child({ module: 'unanswered' });
  const file = join(options.dataDir, UNANSWERED_FILE);
  const flushDelayMs = options.flushDelayMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let closed = false;
  let saving = Promise.resolve();
  let recording = Promise.resolve();
  const recordOptions = { analyse: (text: string) => options.analyser.analyse(text), zone: options.zone, ...(options.limits ? { limits: options.limits } : {}) };

  const load = async (): Promise<UnansweredState> => {
    try {
      return await readUnansweredFile(file);
    } catch (err) {
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const moved = await rename(file, aside).then(
        () => true,
        () => false,
      );
      log.error({ err: (err as Error).message, ...(moved ? { movedTo: aside } : {}) }, 'unanswered questions file unreadable: starting an empty log');
      return { groups: [] };
    }
  };
  const ready = load();

  const write = async (): Promise<void> => {
    if (!dirty) return;
    dirty = false;
    const state = await ready;
    try {
      await mkdir(options.dataDir, { recursive: true });
      await writeFileAtomic(file, serializeUnanswered(state));
    } catch (err) {
      // Kept in memory and tried again with the next record or flush.
      dirty = true;
      log.error({ err: (err as Error).message }, 'unanswered questions not saved');
    }
  };
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    saving = saving.then(write);
    return saving;
  };

  return {
    record(ask) {
      // One at a time: a record waits for its analyses, and another must not change the state meanwhile.
      recording = recording
        .then(async () => {
          if (closed) return;
          const state = await ready;
          await options.analyser.prepare(textsToAnalyse(state, [ask], options.limits));
          if (!recordUnanswered(state, ask, recordOptions)) return;
          dirty = true;
          timer ??= setTimeout(() => void save(), flushDelayMs).unref();
        })
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'unanswered question not recorded'));
      return recording;
    },
    async groups(query) {
      return listUnanswered(await ready, query);
    },
    async flush() {
      // Records already asked for are part of "so far", even those still waiting for analyses.
      await recording;
      await save();
    },
    async close() {
      await recording;
      closed = true;
      await save();
    },
  };
}
