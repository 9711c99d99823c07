import { createHash } from 'node:crypto';
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import deepmerge from 'deepmerge';
import writeFileAtomic from 'write-file-atomic';
import { LineCounter, parseDocument } from 'yaml';
import { configSchema, type Config } from './config-schema.js';

export type { Config } from './config-schema.js';

/** Every problem found in the configuration, reported together. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

interface EnvSetting {
  path: readonly string[];
  parse?: (value: string) => unknown;
}

const list = (separator: string) => (value: string) =>
  value
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);

/** Environment variables and the settings they fill; the README's configuration table lists them. */
export const ENV_SETTINGS: Readonly<Record<string, EnvSetting>> = {
  PORT: { path: ['server', 'port'] },
  HOST: { path: ['server', 'host'] },
  KNOWLEDGE_DIR: { path: ['knowledge', 'dirs'], parse: list(':') },
  DATA_DIR: { path: ['dataDir'] },
  DINGTALK_MODE: { path: ['dingtalk', 'mode'] },
  DINGTALK_APP_KEY: { path: ['dingtalk', 'appKey'] },
  DINGTALK_APP_SECRET: { path: ['dingtalk', 'appSecret'] },
  DINGTALK_ROBOT_CODE: { path: ['dingtalk', 'robotCode'] },
  DINGTALK_API_BASE: { path: ['dingtalk', 'apiBase'] },
  DINGTALK_OPENAPI_BASE: { path: ['dingtalk', 'openapiBase'] },
  DINGTALK_SESSION_HOSTS: { path: ['dingtalk', 'sessionHosts'], parse: list(',') },
  PLAYGROUND_TOKEN: { path: ['playground', 'token'] },
  LOG_LEVEL: { path: ['log', 'level'] },
  LOG_FORMAT: { path: ['log', 'format'] },
  REDIS_URL: { path: ['state', 'redisUrl'] },
  METRICS_TOKEN: { path: ['metrics', 'token'] },
};

/** Settings that must never sit in a file in the repository, by section. */
const SECRET_KEYS: Readonly<Record<string, readonly string[]>> = {
  dingtalk: ['appKey', 'appSecret', 'robotCode'],
  state: ['redisUrl'],
  metrics: ['token'],
  playground: ['token'],
};

/**
 * Reads config/default.yaml, then config/local.yaml if present, then the environment, and
 * validates the result. Throws ConfigError naming every problem with its path and origin.
 */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const configDir = env.CONFIG_DIR?.trim() || './config';
  const problems: string[] = [];
  const origins = new Map<string, string>();

  const layers: Record<string, unknown>[] = [];
  for (const name of ['default.yaml', 'local.yaml']) {
    const file = join(configDir, name);
    if (!existsSync(file)) {
      if (name === 'default.yaml') problems.push(`${file}: not found (set CONFIG_DIR to the folder holding it)`);
      continue;
    }
    const data = readYamlFile(file, problems);
    if (!data) continue;
    for (const [section, keys] of Object.entries(SECRET_KEYS)) {
      const settings = data[section];
      if (!isPlainObject(settings)) continue;
      for (const key of keys) {
        if (key in settings) {
          problems.push(`${file}: ${section}.${key}: secrets are read from the environment only`);
          delete settings[key];
        }
      }
    }
    for (const path of leafPaths(data)) origins.set(path, file);
    layers.push(data);
  }

  for (const [name, setting] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    layers.push(objectAt(setting.path, setting.parse ? setting.parse(raw) : raw.trim()));
    origins.set(setting.path.join('.'), `env ${name}`);
  }
  const dataDir = layers.map((layer) => layer.dataDir).findLast((dir): dir is string => typeof dir === 'string' && dir.trim() !== '');
  layers.push({ configDir, vocabulary: readVocabulary(configDir, problems, dataDir === undefined ? undefined : join(dataDir, 'cache')) });
  // Lists replace rather than extend, so local.yaml can shorten a default list.
  const merged = deepmerge.all(layers, { arrayMerge: (_target, source: unknown[]) => source });

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      const origin = originOf(origins, path);
      problems.push(`${path || '(root)'}: ${issue.message}${origin ? ` (from ${origin})` : ''}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

/**
 * The answering engine's vocabulary: config/synonyms.yaml (`groups`, `terms`, `generic`, `facets`)
 * and config/glossary.yaml (English↔Chinese `groups`, folded like synonyms); an absent file means
 * none.
 */
function readVocabulary(configDir: string, problems: string[], cacheDir: string | undefined): Record<string, unknown> {
  const read = (name: string) => {
    const file = join(configDir, name);
    return existsSync(file) ? readVocabularyFile(file, problems, cacheDir) : undefined;
  };
  const synonyms = read('synonyms.yaml');
  const glossary = read('glossary.yaml');
  const groups = (data: Record<string, unknown> | undefined): unknown[] => (Array.isArray(data?.groups) ? data.groups : []);
  reportWordsInTwoGroups([
    ['synonyms.yaml', groups(synonyms)],
    ['glossary.yaml', groups(glossary)],
  ], problems);
  return {
    synonyms: groups(synonyms),
    glossary: groups(glossary),
    terms: synonyms?.terms ?? [],
    generic: synonyms?.generic ?? [],
    facets: synonyms?.facets ?? {},
  };
}

/**
 * A word may stand for one word only: in two groups with different first words it would be folded
 * into whichever came last. Case and width are ignored, as matching ignores them.
 */
function reportWordsInTwoGroups(files: readonly (readonly [name: string, groups: unknown[]])[], problems: string[]): void {
  const seen = new Map<string, { first: string; file: string }>();
  for (const [file, groups] of files) {
    for (const group of groups) {
      if (!Array.isArray(group)) continue;
      const words = group.filter((w): w is string => typeof w === 'string').map((w) => w.normalize('NFKC').trim().toLowerCase());
      const [first] = words;
      if (first === undefined) continue;
      for (const word of words) {
        const earlier = seen.get(word);
        if (earlier && earlier.first !== first) {
          problems.push(`vocabulary: "${word}" is in the group of "${earlier.first}" (${earlier.file}) and in the group of "${first}" (${file}); keep it in one`);
        } else if (!earlier) seen.set(word, { first, file });
      }
    }
  }
}

const YAML_VERSION = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The vocabulary files are most of the settings' bytes (the glossary alone is 40 KB, about 70 ms of
 * yaml's parse on every start and every command line run), so what a file parses to is kept in
 * DATA_DIR/cache by its bytes and the parser's version, and read back as JSON while they are the
 * same. Never default.yaml or local.yaml: a secret mistyped into them would be copied. A cache that
 * cannot be read or written costs only the parse.
 */
function readVocabularyFile(file: string, problems: string[], cacheDir: string | undefined): Record<string, unknown> | undefined {
  const text = readFileSync(file, 'utf8');
  if (cacheDir === undefined) return parseYamlText(file, text, problems);
  const key = sha256(`${YAML_VERSION}\u0000${text}`);
  const slot = join(cacheDir, `settings-${sha256(resolve(file)).slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(readFileSync(slot, 'utf8')) as { key?: unknown; data?: unknown };
    if (cached.key === key && isPlainObject(cached.data)) return cached.data;
  } catch {
    // No cache yet, or not readable: parsed below.
  }
  const data = parseYamlText(file, text, problems);
  if (data) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      writeFileAtomic.sync(slot, JSON.stringify({ key, data }));
    } catch {
      // A read-only DATA_DIR: parsed again next time.
    }
  }
  return data;
}

function readYamlFile(file: string, problems: string[]): Record<string, unknown> | undefined {
  return parseYamlText(file, readFileSync(file, 'utf8'), problems);
}

function parseYamlText(file: string, text: string, problems: string[]): Record<string, unknown> | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = lineCounter.linePos(error.pos[0]).line;
      problems.push(`${file}:${line}: ${error.message.split('\n')[0] ?? ''}`);
    }
    return undefined;
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // Aliases that would expand past yaml's limit (an "alias bomb"): refused, as the file's fault.
    problems.push(`${file}: ${(err as Error).message}; write the values out`);
    return undefined;
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push(`${file}:1: expected a mapping of settings`);
    return undefined;
  }
  return data as Record<string, unknown>;
}

function originOf(origins: Map<string, string>, path: string): string | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const origin = origins.get(p);
    if (origin) return origin;
  }
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A nested object holding one value at a path, to merge as a layer. */
function objectAt(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value as never);
}

function leafPaths(data: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(data).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isPlainObject(value) ? [path, ...leafPaths(value, path)] : [path];
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
