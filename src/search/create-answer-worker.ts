import { Worker } from 'node:worker_threads';
// In this thread, before the worker loads the segmenter (see the module).
import './return-freed-segmenter-memory.js';
import type { Entry } from '../knowledge/entry.js';
import type { Logger } from '../logger.js';
import type { AnswerResult, AnswerSource, Match, Ranking } from './answer-types.js';
import type { SearchConfig } from './create-answerer.js';
import type { QuestionAnalysis } from './create-question-analyser.js';
import type { WorkerRequest, WorkerResponse, WireMatch } from './answer-worker.js';
import { batchMessages } from './batch-messages.js';

/**
 * The server's answering engine, in a worker thread: building the index for a knowledge reload
 * (most of a second on the archive) no longer stalls callbacks and health checks, and answering
 * runs on a second core beside the thread that receives callbacks and posts replies. The worker
 * builds in steps and answers from the previous engine meanwhile: a question never waits for a
 * build, and one thread (one segmenter dictionary) serves both.
 */
export interface AnswerWorker extends AnswerSource {
  ask(question: string, now: Date): Promise<AnswerResult>;
  rank(question: string, now: Date): Promise<Ranking>;
  /** The unanswered log's analyses of these texts, with the engine's tokenizer (see createRemoteQuestionAnalyser). */
  analyse(texts: string[]): Promise<QuestionAnalysis[]>;
  /** Builds the engine for these entries; resolves once questions are answered from them. On a failed build the previous engine keeps answering. */
  build(entries: readonly Entry[]): Promise<{ ms: number }>;
  close(): Promise<void>;
}

export interface AnswerWorkerOptions {
  config: SearchConfig;
  logger: Logger;
  /** A question not answered within this is refused, so a reply is never waited on forever. */
  timeoutMs?: number;
  /** The worker's script; tests put a stand-in that speaks the same messages here. */
  workerUrl?: URL;
}

type Answered = Extract<WorkerResponse, { type: 'result' | 'analysed' }>;

/**
 * A response with, for a result, the entry list of its generation, looked up on arrival: a build
 * reported in the same batch retires that list before the asker's continuation runs.
 */
interface Arrived {
  response: Answered;
  entries: readonly Entry[] | undefined;
}

interface Pending {
  resolve: (arrived: Arrived) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Build {
  resolve: (result: { ms: number }) => void;
  reject: (err: Error) => void;
}

const RESTART_DELAY_MS = 1000;

// From the compiled dist/ the worker is a .js file. Under vitest or tsx it is the .ts source, which
// a worker thread can only import once tsx's loader is registered in that thread.
const SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(SOURCE ? './answer-worker.ts' : './answer-worker.js', import.meta.url);

/**
 * V8 lets a thread's young generation (where new objects start) grow to 48 MB and keeps it at that
 * size once grown, which a build does; answering a question allocates a few kilobytes. At 6 MB
 * the engine's thread holds about 25 MB less with no change in build or answer times measured
 * (README, Numbers).
 */
export const ANSWER_WORKER_YOUNG_GENERATION_MB = 6;

function spawnWorker(url: URL): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: ANSWER_WORKER_YOUNG_GENERATION_MB };
  if (!SOURCE) return new Worker(url, { resourceLimits });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}

export function createAnswerWorker({ config: fullConfig, logger, timeoutMs = 10_000, workerUrl = WORKER_URL }: AnswerWorkerOptions): AnswerWorker {
  // Only what the engine reads crosses to the worker.
  const config: SearchConfig = { search: fullConfig.search, vocabulary: fullConfig.vocabulary };
  const log = logger.child({ module: 'answer-worker' });
  // Every entry list sent to the worker, by generation, until a newer one is built: a result names
  // the generation it came from and its matches point into that list.
  const generations = new Map<number, readonly Entry[]>();
  const builds = new Map<number, Build>();
  const pending = new Map<number, Pending>();
  let lastBuilt: number | undefined;
  let nextGeneration = 1;
  let nextId = 1;
  let closed = false;
  // Undefined while a stopped worker waits to be restarted; questions wait meanwhile.
  let worker: Worker | undefined = start();
  let waiting: WorkerRequest[] = [];
  const post = batchMessages<WorkerRequest>((batch) => {
    if (worker) worker.postMessage(batch);
    // A build is sent on restart anyway (it is in `builds`).
    else waiting.push(...batch.filter((request) => request.type !== 'build'));
  });

  function start(): Worker {
    const started = spawnWorker(workerUrl);
    started.on('message', (responses: WorkerResponse[]) => {
      for (const response of responses) onMessage(response);
    });
    started.on('error', (err) => log.error({ err: err.message }, 'answering engine failed'));
    started.on('exit', (code) => {
      if (closed) return;
      worker = undefined;
      log.error({ code }, `answering engine stopped; restarting in ${RESTART_DELAY_MS} ms`);
      failAll(new Error('the answering engine restarted'));
      setTimeout(() => {
        if (closed) return;
        worker = start();
        // The last good knowledge first, then any build still waiting, then what came meanwhile.
        const resend = [...new Set([lastBuilt, ...builds.keys()])].filter((g): g is number => g !== undefined);
        for (const generation of resend) post({ type: 'build', generation, entries: generations.get(generation) ?? [], config });
        const meanwhile = waiting;
        waiting = [];
        for (const request of meanwhile) post(request);
      }, RESTART_DELAY_MS).unref();
    });
    return started;
  }

  function onMessage(response: WorkerResponse): void {
    switch (response.type) {
      case 'built': {
        lastBuilt = response.generation;
        // Results of older generations have all arrived: the worker answers in order.
        for (const generation of generations.keys()) if (generation < response.generation) generations.delete(generation);
        settleBuild(response.generation, (b) => b.resolve({ ms: response.ms }));
        return;
      }
      case 'build-failed':
        if (response.generation !== lastBuilt) generations.delete(response.generation);
        settleBuild(response.generation, (b) => b.reject(new Error(`building the answering engine failed: ${response.message}`)));
        return;
      case 'result':
      case 'analysed':
      case 'failed': {
        const request = pending.get(response.id);
        if (!request) return; // timed out already
        pending.delete(response.id);
        clearTimeout(request.timer);
        if (response.type === 'failed') request.reject(new Error(`answering failed: ${response.message}`));
        else request.resolve({ response, entries: response.type === 'result' ? generations.get(response.generation) : undefined });
      }
    }
  }

  function settleBuild(generation: number, settle: (build: Build) => void): void {
    const build = builds.get(generation);
    if (!build) return;
    builds.delete(generation);
    settle(build);
  }

  function failAll(err: Error): void {
    for (const request of pending.values()) {
      clearTimeout(request.timer);
      request.reject(err);
    }
    pending.clear();
  }

  function request(message: Extract<WorkerRequest, { type: 'ask' | 'rank' | 'analyse' }>): Promise<Arrived> {
    if (closed) return Promise.reject(new Error('the answering engine is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(message.id);
        reject(new Error(`answering timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      pending.set(message.id, { resolve, reject, timer });
      post(message);
    });
  }

  /** The worker's answer to a question, as the result it is. */
  async function result(type: 'ask' | 'rank', question: string, now: Date): Promise<{ response: Extract<WorkerResponse, { type: 'result' }>; matches: Match[] }> {
    const { response, entries } = await request({ type, id: nextId++, question, nowMs: now.getTime() });
    if (response.type !== 'result') throw new Error(`answering failed: the engine answered ${response.type}`);
    return { response, matches: toMatches(response, entries) };
  }

  function toMatches(response: Extract<WorkerResponse, { type: 'result' }>, entries: readonly Entry[] | undefined): Match[] {
    if (!entries) throw new Error(`answering failed: generation ${response.generation} is gone`);
    return response.matches.map(({ index, ...rest }: WireMatch) => {
      const entry = entries[index];
      if (!entry) throw new Error(`answering failed: no entry ${index} in generation ${response.generation}`);
      return { ...rest, entry };
    });
  }

  return {
    async ask(question, now) {
      const { response, matches } = await result('ask', question, now);
      return { outcome: response.outcome ?? 'abstain', intent: response.intent, matches };
    },
    async rank(question, now) {
      const { response, matches } = await result('rank', question, now);
      return { intent: response.intent, matches };
    },
    async analyse(texts) {
      const { response } = await request({ type: 'analyse', id: nextId++, texts });
      if (response.type !== 'analysed') throw new Error(`analysing failed: the engine answered ${response.type}`);
      return response.analyses;
    },
    build(entries) {
      if (closed) return Promise.reject(new Error('the answering engine is closed'));
      const generation = nextGeneration++;
      generations.set(generation, entries);
      return new Promise((resolve, reject) => {
        builds.set(generation, { resolve, reject });
        post({ type: 'build', generation, entries, config });
      });
    },
    async close() {
      closed = true;
      failAll(new Error('the answering engine is closed'));
      for (const build of builds.values()) build.reject(new Error('the answering engine is closed'));
      builds.clear();
      await worker?.terminate();
    },
  };
}
