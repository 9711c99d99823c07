import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config/load-config.js';

function configDir(local?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'qa-bot-config-'));
  copyFileSync('config/default.yaml', join(dir, 'default.yaml'));
  if (local !== undefined) writeFileSync(join(dir, 'local.yaml'), local);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the shipped defaults', () => {
    const config = loadConfig({ CONFIG_DIR: configDir() });
    expect(config.server.port).toBe(3000);
    expect(config.timezone).toBe('Asia/Shanghai');
    expect(config.knowledge.dirs).toEqual(['./knowledge']);
    expect(config.knowledge.archiveSiteUrl).toBe('https://www.sofastack.tech');
    expect(config.dataDir).toBe('./data');
    expect(config.dingtalk.apiBase).toBe('https://oapi.dingtalk.com');
    expect(config.dingtalk.sessionHosts).toEqual(['oapi.dingtalk.com', 'api.dingtalk.com']);
    expect(config.dingtalk.appSecret).toBeUndefined();
    expect(config.reminders.offsets).toEqual(['1d', '1h']);
    expect(config.metrics).toEqual({ enabled: true });
    expect(config.playground).toEqual({ enabled: false });
    expect(config.log).toEqual({ level: 'info', format: 'auto' });
    expect(config.server.host).toBeUndefined();
    expect(Object.isFrozen(config.dingtalk)).toBe(true);
  });

  it('lets local.yaml override defaults, replacing lists', () => {
    const config = loadConfig({ CONFIG_DIR: configDir('timezone: Europe/Berlin\nreminders:\n  offsets: [15m]\n') });
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.reminders.offsets).toEqual(['15m']);
    expect(config.server.port).toBe(3000);
  });

  it('lets the environment override both', () => {
    const config = loadConfig({
      CONFIG_DIR: configDir('server:\n  port: 4000\n'),
      PORT: '5000',
      KNOWLEDGE_DIR: './a:./b',
      DATA_DIR: '/var/lib/bot',
      DINGTALK_APP_SECRET: 's3cret',
      DINGTALK_ROBOT_CODE: 'robot',
      DINGTALK_API_BASE: 'http://127.0.0.1:9999',
      DINGTALK_SESSION_HOSTS: '127.0.0.1:9999, OAPI.dingtalk.com',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      METRICS_TOKEN: 'scrape-me',
    });
    expect(config.server.port).toBe(5000);
    expect(config.knowledge.dirs).toEqual(['./a', './b']);
    expect(config.dataDir).toBe('/var/lib/bot');
    expect(config.dingtalk.appSecret).toBe('s3cret');
    expect(config.dingtalk.robotCode).toBe('robot');
    expect(config.dingtalk.apiBase).toBe('http://127.0.0.1:9999');
    expect(config.dingtalk.sessionHosts).toEqual(['127.0.0.1:9999', 'oapi.dingtalk.com']);
    expect(config.log).toEqual({ level: 'debug', format: 'json' });
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.metrics).toEqual({ enabled: true, token: 'scrape-me' });
  });

  it('reports every problem at once, with the field path and where the value came from', () => {
    const problems = problemsOf(() =>
      loadConfig({
        CONFIG_DIR: configDir('timezone: Mars/Olympus\nreminders:\n  offsets: [1w]\nsurprise: 1\n'),
        PORT: 'eighty',
        DINGTALK_SESSION_HOSTS: 'good.example.com,bad host',
        LOG_LEVEL: 'chatty',
      }),
    );
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.port: .*\(from env PORT\)$/),
        expect.stringMatching(/^timezone: expected an IANA time zone .*local\.yaml\)$/),
        expect.stringMatching(/^reminders\.offsets\.0: expected an offset/),
        expect.stringMatching(/^dingtalk\.sessionHosts\.1: expected host or host:port \(from env DINGTALK_SESSION_HOSTS\)$/),
        expect.stringMatching(/^log\.level: .*\(from env LOG_LEVEL\)$/),
        expect.stringMatching(/surprise/),
      ]),
    );
  });

  it('takes an admin group and the weekly unanswered digest\'s schedule, and refuses bad ones', () => {
    const config = loadConfig({ CONFIG_DIR: configDir('groups:\n  - name: admins\n    tokenEnv: ADMINS_TOKEN\n    posts: [admin]\n') });
    expect(config.groups).toEqual([{ name: 'admins', tokenEnv: 'ADMINS_TOKEN', posts: ['admin'] }]);
    expect(config.unansweredDigest).toEqual({ schedule: '0 10 * * 1', top: 10 });
    const problems = problemsOf(() =>
      loadConfig({
        CONFIG_DIR: configDir('groups:\n  - name: admins\n    tokenEnv: ADMINS_TOKEN\n    posts: [admins]\nunansweredDigest:\n  schedule: every monday\n  top: 0\n'),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^groups\.0\.posts\.0: .*local\.yaml\)$/),
        expect.stringMatching(/^unansweredDigest\.schedule: expected a cron expression such as "0 10 \* \* 1" \(from .*local\.yaml\)$/),
        expect.stringMatching(/^unansweredDigest\.top: /),
      ]),
    );
  });

  it('takes the connection mode, the app key and the OpenAPI base; stream mode needs the app key and secret', () => {
    const defaults = loadConfig({ CONFIG_DIR: configDir() });
    expect(defaults.dingtalk.mode).toBe('http');
    expect(defaults.dingtalk.openapiBase).toBe('https://api.dingtalk.com');
    const stream = loadConfig({
      CONFIG_DIR: configDir(),
      DINGTALK_MODE: 'stream',
      DINGTALK_APP_KEY: 'ding-app',
      DINGTALK_APP_SECRET: 's3cret',
      DINGTALK_OPENAPI_BASE: 'http://127.0.0.1:9998',
    });
    expect(stream.dingtalk).toMatchObject({ mode: 'stream', appKey: 'ding-app', openapiBase: 'http://127.0.0.1:9998' });
    const problems = problemsOf(() => loadConfig({ CONFIG_DIR: configDir(), DINGTALK_MODE: 'stream' }));
    expect(problems).toEqual([
      expect.stringMatching(/^dingtalk\.appKey: stream mode needs DINGTALK_APP_KEY/),
      expect.stringMatching(/^dingtalk\.appSecret: stream mode needs DINGTALK_APP_SECRET/),
    ]);
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: configDir(), DINGTALK_MODE: 'websocket' }))).toEqual([
      expect.stringMatching(/^dingtalk\.mode: .*\(from env DINGTALK_MODE\)$/),
    ]);
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: configDir('dingtalk:\n  appKey: ding-app\n') }))).toEqual([
      expect.stringMatching(/local\.yaml: dingtalk\.appKey: secrets are read from the environment only$/),
    ]);
  });

  it('refuses secrets written into a settings file, without echoing them', () => {
    const problems = problemsOf(() => loadConfig({ CONFIG_DIR: configDir('dingtalk:\n  appSecret: hunter2\n') }));
    expect(problems).toEqual([expect.stringMatching(/local\.yaml: dingtalk\.appSecret: secrets are read from the environment only$/)]);
    expect(problems.join('\n')).not.toContain('hunter2');
    const metricsProblems = problemsOf(() => loadConfig({ CONFIG_DIR: configDir('metrics:\n  enabled: false\n  token: hunter3\n') }));
    expect(metricsProblems).toEqual([expect.stringMatching(/local\.yaml: metrics\.token: secrets are read from the environment only$/)]);
    expect(metricsProblems.join('\n')).not.toContain('hunter3');
  });

  it('reads the playground token from the environment only', () => {
    const token = 'playground-token-0123456789';
    expect(loadConfig({ CONFIG_DIR: configDir('playground:\n  enabled: true\n'), PLAYGROUND_TOKEN: token }).playground).toEqual({ enabled: true, token });
    const problems = problemsOf(() => loadConfig({ CONFIG_DIR: configDir(`playground:\n  enabled: true\n  token: ${token}\n`) }));
    expect(problems).toEqual([expect.stringMatching(/local\.yaml: playground\.token: secrets are read from the environment only$/)]);
    expect(problems.join('\n')).not.toContain(token);
  });

  it('refuses a short playground token, without echoing it', () => {
    const problems = problemsOf(() => loadConfig({ CONFIG_DIR: configDir(), PLAYGROUND_TOKEN: 'hunter2' }));
    expect(problems).toEqual([expect.stringMatching(/^playground\.token: expected at least 16 characters.*\(from env PLAYGROUND_TOKEN\)$/)]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reads the glossary, the generic words and the facets beside the synonyms', () => {
    const { vocabulary } = loadConfig({ CONFIG_DIR: 'config' });
    expect(vocabulary.glossary.length).toBeGreaterThan(300);
    expect(vocabulary.glossary).toContainEqual(expect.arrayContaining(['线程池', 'thread pool']));
    expect(vocabulary.generic).toContain('支持');
    expect(vocabulary.facets['transaction mode']).toEqual(['atmode', 'tcc', 'saga', 'xa']);
  });

  it('refuses a word in two vocabulary groups, naming both and their files', () => {
    const dir = configDir();
    writeFileSync(join(dir, 'synonyms.yaml'), 'groups:\n  - [超时, timeout]\n');
    writeFileSync(join(dir, 'glossary.yaml'), 'groups:\n  - [过期, Timeout, expired]\n');
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: dir }))).toEqual([
      'vocabulary: "timeout" is in the group of "超时" (synonyms.yaml) and in the group of "过期" (glossary.yaml); keep it in one',
    ]);
  });

  it('refuses an archive site that is not an http(s) URL', () => {
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: configDir('knowledge:\n  archiveSiteUrl: www.sofastack.tech\n') }))).toEqual([
      expect.stringMatching(/^knowledge\.archiveSiteUrl: expected an http\(s\) URL such as https:\/\/www\.sofastack\.tech/),
    ]);
  });

  it('points YAML syntax errors at file and line', () => {
    const problems = problemsOf(() => loadConfig({ CONFIG_DIR: configDir('timezone: UTC\nserver: port: 3000\n') }));
    expect(problems[0]).toMatch(/local\.yaml:2: /);
  });

  it('reads anchors and aliases as if written out, and refuses duplicate keys with their line', () => {
    const config = loadConfig({ CONFIG_DIR: configDir('reminders:\n  offsets: &both [2h, 10m]\ndigest:\n  schedule: "0 9 * * 1"\ngroups:\n  - name: a\n    tokenEnv: A_TOKEN\n    posts: &posts [digest]\n  - name: b\n    tokenEnv: B_TOKEN\n    posts: *posts\n') });
    expect(config.reminders.offsets).toEqual(['2h', '10m']);
    expect(config.digest.schedule).toBe('0 9 * * 1');
    expect(config.groups.map((g) => g.posts)).toEqual([['digest'], ['digest']]);
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: configDir('timezone: UTC\ntimezone: Asia/Shanghai\n') }))[0]).toMatch(/local\.yaml:2: /);
  });

  it('refuses aliases that would expand without end (an alias bomb) as a problem of the file', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array<string>(9).fill(`*a${i - 1}`).join(', ')}]`);
    const dir = configDir(`${lines.join('\n')}\n`);
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: dir }))).toEqual([`${join(dir, 'local.yaml')}: Excessive alias count indicates a resource exhaustion attack; write the values out`]);
  });

  it('says where default.yaml was expected when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qa-bot-empty-'));
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: dir }))[0]).toBe(`${join(dir, 'default.yaml')}: not found (set CONFIG_DIR to the folder holding it)`);
  });
});
