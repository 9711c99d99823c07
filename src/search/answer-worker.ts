// The worker thread that hosts the answering engine for the server (see create-answer-worker.ts).
// Building the index (most of a second on the archive) and answering (a tenth of a millisecond a
// question) happen here, so the server's event loop only receives callbacks and sends replies. A
// build runs in steps, and questions that arrive meanwhile are answered from the previous engine.
import { parentPort } from 'node:worker_threads';
import type { Entry } from '../knowledge/entry.js';
import type { Answerer, Intent, Match, Outcome } from './answer-types.js';
import { buildAnswerer, type SearchConfig } from './create-answerer.js';
import { releaseWholeDictionary } from './create-tokenizer.js';
import { analyseQuestion, type QuestionAnalysis } from './create-question-analyser.js';
import { batchMessages } from './batch-messages.js';
import { collectCompacting, exposeGc } from '../shared/expose-gc.js';

/** From the server's thread, in batches (arrays). Every entry list is numbered by a generation, newest highest. */
export type WorkerRequest =
  | { type: 'build'; generation: number; entries: readonly Entry[]; config: SearchConfig }
  | { type: 'ask' | 'rank'; id: number; question: string; nowMs: number }
  /** For the unanswered log: it groups questions by their terms, with the engine's tokenizer. */
  | { type: 'analyse'; id: number; texts: string[] };

/** A match as it crosses the thread boundary: the entry by its place in its generation's list. */
export interface WireMatch extends Omit<Match, 'entry'> {
  index: number;
}

/** To the server's thread, in batches (arrays). */
export type WorkerResponse =
  | { type: 'built'; generation: number; ms: number }
  | { type: 'build-failed'; generation: number; message: string }
  | { type: 'result'; id: number; generation: number; outcome: Outcome | undefined; intent: Intent; matches: WireMatch[] }
  | { type: 'failed'; id: number; message: string }
  | { type: 'analysed'; id: number; analyses: QuestionAnalysis[] };

interface Built {
  generation: number;
  answerer: Answerer;
  indexOf: Map<Entry, number>;
}

const port = parentPort;
if (!port) throw new Error('answer-worker.js runs as a worker thread (see create-answer-worker.ts)');

const collectGarbage = exposeGc();

let built: Built | undefined;
const reply = batchMessages<WorkerResponse>((batch) => port.postMessage(batch));
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

port.on('message', (requests: WorkerRequest[]) => {
  for (const request of requests) handle(request);
});

// One build at a time, in the order sent; questions are answered between its steps.
let builds: Promise<void> = Promise.resolve();
let buildsPending = 0;
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

function handle(request: WorkerRequest): void {
  if (request.type === 'build') {
    buildsPending++;
    builds = builds.then(() => build(request)).finally(() => buildsPending--);
    return;
  }
  if (!built) {
    // A restarted engine: what was asked while it was down waits for its first build.
    if (buildsPending > 0) void builds.then(() => handle(request));
    else reply({ type: 'failed', id: request.id, message: 'no knowledge built yet' });
    return;
  }
  if (request.type === 'analyse') {
    const { tokenizer } = built.answerer;
    try {
      reply({ type: 'analysed', id: request.id, analyses: request.texts.map((text) => analyseQuestion(tokenizer, text)) });
    } catch (err) {
      reply({ type: 'failed', id: request.id, message: messageOf(err) });
    }
    return;
  }
  try {
    const now = new Date(request.nowMs);
    const result = request.type === 'ask' ? built.answerer.ask(request.question, now) : { ...built.answerer.rank(request.question, now), outcome: undefined };
    const { indexOf } = built;
    reply({
      type: 'result',
      id: request.id,
      generation: built.generation,
      outcome: result.outcome,
      intent: result.intent,
      matches: result.matches.map(({ entry, ...rest }) => ({ ...rest, index: indexOf.get(entry) ?? -1 })),
    });
  } catch (err) {
    reply({ type: 'failed', id: request.id, message: messageOf(err) });
  }
}

// Questions are cut on the narrowed dictionary; the whole one (40 MB) only serves builds. It is
// kept for a moment after one: a burst of edits (a git pull, an editor saving as one types)
// rebuilds several times in a row, and each would load it again (a quarter of a second).
const WHOLE_DICTIONARY_KEPT_MS = 2000;
let releaseTimer: NodeJS.Timeout | undefined;
function releaseWholeDictionarySoon(): void {
  clearTimeout(releaseTimer);
  releaseTimer = setTimeout(() => {
    if (buildsPending > 0) return;
    releaseWholeDictionary();
    // The last collection of a build: compacting gives back now the half-empty pages that the
    // build's temporaries leave (about 4 MB), rather than 8 s later.
    collectCompacting(collectGarbage);
  }, WHOLE_DICTIONARY_KEPT_MS);
  releaseTimer.unref();
}

async function build(request: Extract<WorkerRequest, { type: 'build' }>): Promise<void> {
  const started = performance.now();
  try {
    const answerer = await buildAnswerer(request.entries, request.config, pause);
    built = { generation: request.generation, answerer, indexOf: new Map(request.entries.map((e, i) => [e, i])) };
    reply({ type: 'built', generation: request.generation, ms: performance.now() - started });
    releaseWholeDictionarySoon();
    // The build's temporaries (the segmented text of every entry) outlive its steps and reach the
    // old generation, which V8 would collect only after several builds: during a burst of edits
    // that left RSS 1.6× the steady state. One full collection after each build (20–50 ms on the
    // archive) keeps it at 1.1×.
    collectGarbage();
  } catch (err) {
    // The previous engine keeps answering.
    reply({ type: 'build-failed', generation: request.generation, message: messageOf(err) });
  }
}
