import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { loadConfig, ConfigError, type Config } from './config/load-config.js';
import { loadKnowledge, type KnowledgeLoad } from './knowledge/load-knowledge.js';
import { formatProblem, type Entry } from './knowledge/entry.js';
import { createAnswerer } from './search/create-answerer.js';
import type { Answerer } from './search/answer-types.js';
import { handleMessage } from './bot/handle-message.js';
import { DINGTALK_MAX_BODY_BYTES } from './dingtalk/limits.js';

const USAGE = `usage: npm run --silent cli -- <command> [options]

commands:
  validate [--knowledge DIR ...]   check knowledge files; prints file:line: message, exit 1 on errors
  export [--knowledge DIR ...]     print every entry as JSON Lines
  ask [--knowledge DIR ...] [--now ISO] (--jsonl | "question")
                                   answer a question as the group would see it; with --jsonl,
                                   one question a line on stdin, one JSON result a line out

--knowledge may be repeated; without it the configured folders are used (KNOWLEDGE_DIR or config).`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Questions for `ask --jsonl`; process.stdin when absent. */
  stdin?: NodeJS.ReadableStream;
}

/** Runs one CLI command and returns its exit code; output goes through `io` so tests can read it. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  let options: { knowledge?: string[] | undefined; now?: string | undefined; jsonl?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values: options, positionals } = parseArgs({
      args: rest,
      options: { knowledge: { type: 'string', multiple: true }, now: { type: 'string' }, jsonl: { type: 'boolean' } },
      strict: true,
      allowPositionals: command === 'ask',
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
  const dirs = options.knowledge ?? config.knowledge.dirs;
  const load = () => loadKnowledge({ dirs, zone: config.timezone, maxFileBytes: config.knowledge.maxFileBytes });

  switch (command) {
    case 'validate':
      return validate(await load(), io);
    case 'export':
      return exportEntries(await load(), io);
    case 'ask': {
      const now = options.now === undefined ? new Date() : new Date(options.now);
      if (Number.isNaN(now.getTime())) {
        io.err(`--now: not an ISO 8601 date-time: ${options.now}`);
        return 2;
      }
      if (!options.jsonl && positionals.length === 0) {
        io.err(`ask needs a question or --jsonl\n\n${USAGE}`);
        return 2;
      }
      const knowledge = await load();
      for (const problem of knowledge.problems) if (problem.severity === 'error') io.err(formatProblem(problem));
      const answerer = createAnswerer(knowledge.entries, config);
      if (!options.jsonl) {
        const { reply } = handleMessage(
          { text: positionals.join(' '), msgtype: 'text', isGroup: false },
          { answerer, entries: knowledge.entries, now, maxReplyBytes: DINGTALK_MAX_BODY_BYTES },
        );
        io.out(reply.markdown);
        return 0;
      }
      for await (const line of createInterface({ input: io.stdin ?? process.stdin, crlfDelay: Infinity })) {
        io.out(JSON.stringify(askRecord(answerer, line, now)));
      }
      return 0;
    }
    default:
      io.err(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function validate(knowledge: KnowledgeLoad, io: Io): number {
  for (const problem of knowledge.problems) io.out(formatProblem(problem));
  const errors = knowledge.problems.filter((p) => p.severity === 'error').length;
  const warnings = knowledge.problems.length - errors;
  io.err(`${knowledge.files.length} files, ${knowledge.entries.length} entries, ${errors} errors, ${warnings} warnings`);
  return errors > 0 ? 1 : 0;
}

function exportEntries(knowledge: KnowledgeLoad, io: Io): number {
  for (const entry of knowledge.entries) io.out(JSON.stringify(toExportRecord(entry)));
  for (const problem of knowledge.problems) io.err(formatProblem(problem));
  return 0;
}

/** The export format: one flat record per entry; the answer is the body under its reader-facing name. */
export function toExportRecord(entry: Entry): Record<string, unknown> {
  const { body, source, ...rest } = entry;
  return { ...rest, answer: body, source };
}

/** One line of `ask --jsonl`: the contract of the evaluation scorer. */
function askRecord(answerer: Answerer, question: string, now: Date): Record<string, unknown> {
  const started = performance.now();
  const result = answerer.ask(question, now);
  const ms = performance.now() - started;
  return {
    question,
    answered: result.outcome === 'answer',
    outcome: result.outcome,
    intent: result.intent,
    ms: Math.round(ms * 1000) / 1000,
    matches: result.matches.map(({ entry, score }) => ({
      kind: entry.kind,
      id: entry.id,
      title: entry.title,
      answer: entry.body,
      url: entry.url ?? null,
      links: entry.links.map((l) => l.url),
      source: entry.source,
      score: Math.round(score * 1000) / 1000,
    })),
  };
}

// Run only when executed directly, not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
}
