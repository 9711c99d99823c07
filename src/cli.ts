import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, ConfigError, type Config } from './config/load-config.js';
import { loadKnowledge, type KnowledgeLoad } from './knowledge/load-knowledge.js';
import { formatProblem, type Entry } from './knowledge/entry.js';
import { createAnswerer, type SegmentCache } from './search/create-answerer.js';
import { openKnowledgeSnapshot, type KnowledgeSnapshot } from './cache/open-knowledge-snapshot.js';
import type { Answerer } from './search/answer-types.js';
import { handleMessage } from './bot/handle-message.js';
import { DINGTALK_MAX_BODY_BYTES } from './dingtalk/limits.js';
import { composeDigest, type Digest } from './schedule/compose-digest.js';
import { formatWeeklyPost } from './schedule/format-weekly-post.js';
import { planReminders } from './schedule/plan-reminders.js';
import { formatFaqDraft } from './knowledge/format-faq-draft.js';
import { UNANSWERED_FILE } from './state/create-file-unanswered-log.js';
import { readUnansweredFile, UnansweredFileError } from './state/read-unanswered-file.js';
import { listUnanswered } from './state/list-unanswered.js';
import { parseSubscriptions, SUBSCRIPTIONS_FILE } from './state/create-file-subscriptions.js';
import type { Subscription } from './state/state-store.js';
import type { UnansweredGroup, UnansweredQuery } from './state/unanswered-log.js';
import { createTokenizer } from './search/create-tokenizer.js';
import { createQuestionAnalyser } from './search/create-question-analyser.js';

const USAGE = `usage: npm run --silent cli -- <command> [options]

commands:
  validate [--knowledge DIR ...]   check knowledge files; prints file:line: message, exit 1 on errors
  export [--knowledge DIR ...]     print every entry as JSON Lines
  ask [--knowledge DIR ...] [--now ISO] (--jsonl | "question")
                                   answer a question as the group would see it; with --jsonl,
                                   one question a line on stdin, one JSON result a line out
  digest [--knowledge DIR ...] --week YYYY-MM-DD [--now ISO] [--format markdown|json|post]
                                   the digest of the week (Monday to Sunday) containing --week;
                                   events are counted from --now (default: that Monday 00:00);
                                   markdown: title and message, json: the digest, post: the
                                   SOFA Weekly article in the archive's format
  reminders [--knowledge DIR ...] --from ISO --to ISO
                                   print the event reminders due in [from, to) as JSON Lines
                                   (key, event, group, at, offset, start, text); with no group
                                   configured, planned for one dry-run group named "console"
  unanswered [--top N] [--draft DIR]
                                   the questions the bot could not answer (DATA_DIR/unanswered.json),
                                   similar ones grouped, most asked first; --draft writes a FAQ
                                   stub per group into DIR (never overwriting a file) to complete
  subscriptions                    the groups subscribed from the chat (DATA_DIR/subscriptions.json,
                                   or Redis with REDIS_URL): name, openConversationId, what each
                                   receives and since when

--knowledge may be repeated; without it the configured folders are used (KNOWLEDGE_DIR or config).`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Questions for `ask --jsonl`; process.stdin when absent. */
  stdin?: NodeJS.ReadableStream;
}

interface Options {
  knowledge?: string[] | undefined;
  now?: string | undefined;
  jsonl?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  week?: string | undefined;
  format?: string | undefined;
  top?: string | undefined;
  draft?: string | undefined;
}

/** Runs one CLI command and returns its exit code; output goes through `io` so tests can read it. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  let options: Options;
  let positionals: string[];
  try {
    ({ values: options, positionals } = parseArgs({
      args: rest,
      options: {
        knowledge: { type: 'string', multiple: true },
        now: { type: 'string' },
        jsonl: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        week: { type: 'string' },
        format: { type: 'string' },
        top: { type: 'string' },
        draft: { type: 'string' },
      },
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
  const loadOptions = { dirs, zone: config.timezone, maxFileBytes: config.knowledge.maxFileBytes, archiveSiteUrl: config.knowledge.archiveSiteUrl };
  const snapshotDir = join(config.dataDir, SNAPSHOT_FOLDER);
  let snapshot: KnowledgeSnapshot | undefined;
  const load = async () => {
    snapshot = await openKnowledgeSnapshot({ cacheDir: snapshotDir, load: loadOptions, search: { search: config.search, vocabulary: config.vocabulary } });
    return loadKnowledge({ ...loadOptions, importCache: snapshot.importCache });
  };
  try {
    return await runCommand(command, options, positionals, config, load, () => snapshot?.segmentCache, io);
  } finally {
    // Only ever slower without it: the answer printed stands.
    await snapshot?.save().catch((err: unknown) => io.err(`note: the knowledge snapshot was not saved in ${snapshotDir}: ${(err as Error).message}`));
  }
}

/** Where under DATA_DIR the command line keeps its knowledge snapshots (see open-knowledge-snapshot.ts). */
export const SNAPSHOT_FOLDER = 'cache';

async function runCommand(
  command: string,
  options: Options,
  positionals: string[],
  config: Readonly<Config>,
  load: () => Promise<KnowledgeLoad>,
  segmentCache: () => SegmentCache | undefined,
  io: Io,
): Promise<number> {
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
      const cache = segmentCache();
      // One question: warming the engine up would only move the cost of the first question.
      const answerer = createAnswerer(knowledge.entries, config, { ...(cache ? { segmentCache: cache } : {}), warmUp: options.jsonl === true });
      if (!options.jsonl) {
        const { reply } = await handleMessage(
          { text: positionals.join(' '), msgtype: 'text', isGroup: false },
          {
            answerer,
            entries: knowledge.entries,
            now,
            maxReplyBytes: DINGTALK_MAX_BODY_BYTES,
            digest: { zone: config.timezone, eventsAheadDays: config.digest.eventsAheadDays },
            staleAfterYears: config.search.staleAfterYears,
            admins: config.admins.staffIds,
          },
        );
        io.out(reply.markdown);
        return 0;
      }
      for await (const line of createInterface({ input: io.stdin ?? process.stdin, crlfDelay: Infinity })) {
        io.out(JSON.stringify(askRecord(answerer, line, now)));
      }
      return 0;
    }
    case 'reminders': {
      if (options.from === undefined || options.to === undefined) {
        io.err(`reminders needs --from and --to\n\n${USAGE}`);
        return 2;
      }
      return printReminders(await load(), config, { from: options.from, to: options.to }, io);
    }
    case 'digest':
      return digest(options, config, load, io);
    case 'unanswered':
      return unanswered(options, config, io);
    case 'subscriptions':
      return subscriptions(config, io);
    default:
      io.err(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

const DIGEST_FORMATS = ['markdown', 'json', 'post'] as const;
type DigestFormat = (typeof DIGEST_FORMATS)[number];

// The message travels as JSON with a title: leave room for the envelope and for escaping (a line
// break is two bytes in JSON).
const DIGEST_MAX_BYTES = DINGTALK_MAX_BODY_BYTES - 2_000;

async function digest(
  options: { week?: string | undefined; now?: string | undefined; format?: string | undefined },
  config: Readonly<Config>,
  load: () => Promise<KnowledgeLoad>,
  io: Io,
): Promise<number> {
  const zone = config.timezone;
  const format = options.format ?? 'markdown';
  if (!isDigestFormat(format)) {
    io.err(`--format: expected markdown, json or post, got "${format}"`);
    return 2;
  }
  if (options.week === undefined) {
    io.err(`digest needs --week YYYY-MM-DD\n\n${USAGE}`);
    return 2;
  }
  const day = DateTime.fromISO(options.week, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.week) || !day.isValid) {
    io.err(`--week: not a date (YYYY-MM-DD): ${options.week}`);
    return 2;
  }
  // Without --now, events are counted from the start of the week, as a digest posted on Monday would.
  const now = options.now === undefined ? day.startOf('week') : DateTime.fromISO(options.now, { zone });
  if (!now.isValid) {
    io.err(`--now: not an ISO 8601 date-time: ${options.now ?? ''}`);
    return 2;
  }
  const knowledge = await load();
  for (const problem of knowledge.problems) if (problem.severity === 'error') io.err(formatProblem(problem));
  const result = composeDigest(knowledge.entries, {
    now: now.toISO() ?? '',
    zone,
    eventsAheadDays: config.digest.eventsAheadDays,
    maxBytes: DIGEST_MAX_BYTES,
    weekOf: options.week,
  });
  switch (format) {
    case 'markdown':
      io.out(`${result.title}\n\n${result.markdown}`);
      break;
    case 'json':
      io.out(JSON.stringify(toDigestRecord(result), null, 2));
      break;
    case 'post':
      io.out(formatWeeklyPost(result).trimEnd());
      break;
  }
  return 0;
}

function isDigestFormat(format: string): format is DigestFormat {
  return (DIGEST_FORMATS as readonly string[]).includes(format);
}

/** The digest for `digest --format json`: entries reduced to what identifies and links them. */
export function toDigestRecord(digest: Digest): Record<string, unknown> {
  const brief = (entry: Entry): Record<string, unknown> => ({
    id: entry.id,
    kind: entry.kind,
    title: entry.title,
    url: entry.url ?? null,
    date: entry.date ?? null,
    ...(entry.kind === 'event' ? { start: entry.start } : {}),
  });
  const { releases, faqs, readings, events } = digest.entries;
  return {
    ...digest,
    entries: { releases: releases.map(brief), faqs: faqs.map(brief), readings: readings.map(brief), events: events.map(brief) },
  };
}

/** With REDIS_URL set, the running instances share the log in Redis: read it there. */
async function unansweredFromRedis(config: Readonly<Config>, query: UnansweredQuery): Promise<UnansweredGroup[]> {
  // Imported here: the Redis client and the logger cost every other command a tenth of a second.
  const [{ createRedisStateStore }, { createLogger }] = await Promise.all([import('./state/create-redis-state-store.js'), import('./logger.js')]);
  const store = createRedisStateStore({
    url: config.state.redisUrl ?? '',
    keyPrefix: config.state.redisKeyPrefix,
    dedupeRetentionMs: 1,
    logger: createLogger('silent'),
  });
  try {
    return await store.unansweredLog({ zone: config.timezone, analyser: createQuestionAnalyser(createTokenizer(config.vocabulary)) }).groups(query);
  } finally {
    await store.close();
  }
}

/**
 * `unanswered`: the log the running bot keeps, read as it was last written (the bot writes it a
 * few seconds after a question), as a table; with --draft, a FAQ stub per listed group.
 */
async function unanswered(options: { top?: string | undefined; draft?: string | undefined }, config: Readonly<Config>, io: Io): Promise<number> {
  const top = options.top === undefined ? undefined : Number(options.top);
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) {
    io.err(`--top: expected a whole number of at least 1, got "${options.top ?? ''}"`);
    return 2;
  }
  if (options.draft !== undefined && options.draft.trim() === '') {
    io.err('--draft: expected a folder');
    return 2;
  }
  const file = join(config.dataDir, UNANSWERED_FILE);
  const where = config.state.redisUrl ? 'Redis' : file;
  const query = top === undefined ? {} : { limit: top };
  let groups;
  try {
    groups = config.state.redisUrl ? await unansweredFromRedis(config, query) : listUnanswered(await readUnansweredFile(file), query);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    io.err(err instanceof UnansweredFileError ? err.message : `cannot read the unanswered questions from ${where}: ${err.message}`);
    return 1;
  }
  if (groups.length === 0) {
    io.err(`no unanswered questions recorded (${where})`);
    return 0;
  }
  const day = (iso: string) => DateTime.fromISO(iso, { zone: config.timezone }).toISODate() ?? iso.slice(0, 10);
  io.out('count  variants  last seen   question');
  for (const group of groups) {
    io.out(`${String(group.count).padStart(5)}  ${String(group.variants.length).padStart(8)}  ${day(group.lastSeen)}  ${group.question}`);
    for (const variant of group.variants) io.out(`${' '.repeat(29)}≈ ${variant.text} (${variant.count})`);
  }
  if (options.draft === undefined) return 0;

  const dir = options.draft;
  await mkdir(dir, { recursive: true });
  let written = 0;
  for (const group of groups) {
    const draft = formatFaqDraft(group, config.timezone);
    const path = join(dir, draft.name);
    try {
      // 'wx': an admin's file of the same name (a draft already being completed) is never replaced.
      await writeFile(path, draft.text, { flag: 'wx' });
      written++;
      io.err(`wrote ${path}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      io.err(`kept ${path}: it exists already`);
    }
  }
  io.err(`${written} drafts written to ${dir}: write each answer below its front matter, check with \`validate --knowledge ${dir}\`, then move them into the knowledge`);
  return 0;
}

/** `subscriptions`: what the running bot reads before each post, as it was last written. */
async function subscriptions(config: Readonly<Config>, io: Io): Promise<number> {
  const file = join(config.dataDir, SUBSCRIPTIONS_FILE);
  const where = config.state.redisUrl ? 'Redis' : file;
  let list: Subscription[];
  try {
    if (config.state.redisUrl) {
      // Loaded only here, as for `unanswered`: most commands never need a Redis client.
      const [{ createRedisStateStore }, { createLogger }] = await Promise.all([import('./state/create-redis-state-store.js'), import('./logger.js')]);
      const store = createRedisStateStore({ url: config.state.redisUrl, keyPrefix: config.state.redisKeyPrefix, dedupeRetentionMs: 1, logger: createLogger('silent') });
      list = await store.subscriptions.list().finally(() => store.close());
    } else {
      list = await readFile(file, 'utf8').then(
        (text) => parseSubscriptions(text, file),
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return [];
          throw err;
        },
      );
    }
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    io.err(`cannot read the subscriptions from ${where}: ${err.message}`);
    return 1;
  }
  if (list.length === 0) {
    io.err(`no group is subscribed (${where})`);
    return 0;
  }
  const local = (iso: string) => DateTime.fromISO(iso, { zone: config.timezone }).toFormat('yyyy-MM-dd HH:mm');
  io.out('group  openConversationId  receives (since)');
  for (const group of list) {
    const posts = Object.entries(group.posts).map(([kind, since]) => `${kind} (${local(since)})`);
    io.out(`${group.title || '(untitled)'}  ${group.openConversationId}  ${posts.join(', ')}`);
  }
  return 0;
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

/**
 * `reminders`: what the scheduler would post in the window. A fresh clone has no groups, so the
 * plan goes to a stand-in "console" group taking reminders, like the dry-run client's output.
 */
function printReminders(knowledge: KnowledgeLoad, config: Readonly<Config>, window: { from: string; to: string }, io: Io): number {
  const groups = config.groups.length > 0 ? config.groups : [{ name: 'console', posts: ['reminders'] }];
  let reminders;
  try {
    if (Date.parse(window.to) <= Date.parse(window.from)) throw new RangeError('--to: must be after --from');
    reminders = planReminders(knowledge.entries, { ...window, zone: config.timezone, defaultOffsets: config.reminders.offsets, groups });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    io.err(err.message.replace(/^(from|to):/, '--$1:'));
    return 2;
  }
  for (const problem of knowledge.problems) if (problem.severity === 'error') io.err(formatProblem(problem));
  for (const { key, event, group, at, offset, start, text } of reminders) io.out(JSON.stringify({ key, event, group, at, offset, start, text }));
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
