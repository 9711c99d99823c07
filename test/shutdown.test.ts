import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { createApp } from '../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from './helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from './helpers/knowledge-fixture.js';
import { tempKnowledge } from './helpers/temp-knowledge.js';
import { APP_SECRET, groupMessage, signedHeaders } from './helpers/start-bot-server.js';
import { askInGroup } from './helpers/start-app.js';
import { parseMetrics, sampleValue } from './helpers/parse-metrics.js';

// The fake holds the reply this long, so the shutdown starts while it is in flight. Generous, so a
// loaded machine still gets the requests made during the drain in before it ends.
const REPLY_DELAY_MS = 3_000;
const SESSION_PATH = '/robot/sendBySession';

let fake: FakeDingTalk;

beforeAll(async () => {
  fake = await startFakeDingTalk();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.reset();
});

const question = (session: string) => JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook(session)));

/** A callback's status, or 'refused' when the connection was (the listener is closed). */
async function callback(url: string, session: string): Promise<{ status: number | 'refused'; retryAfter?: string | null }> {
  try {
    const response = await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: question(session) });
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  } catch {
    return { status: 'refused' };
  }
}

describe('App.close', () => {
  it('refuses new callbacks with 503 and says "stopping" while the reply in flight is sent, then closes the listener', async () => {
    const config = loadConfig({
      CONFIG_DIR: 'config',
      DINGTALK_APP_SECRET: APP_SECRET,
      KNOWLEDGE_DIR: tempKnowledge(FIXTURE_FILES),
      DATA_DIR: tempKnowledge({}),
      DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
      DINGTALK_API_BASE: fake.url,
    });
    const app = createApp({ config, logger: createLogger('silent') });
    const server = await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await app.load();
    fake.script([{ delayMs: REPLY_DELAY_MS }], SESSION_PATH);

    expect((await callback(url, 'in-flight')).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'in-flight');
    const closing = app.close();

    const readyz = await fetch(`${url}/readyz`);
    expect([readyz.status, await readyz.json()]).toEqual([503, { status: 'stopping' }]);
    expect(readyz.headers.get('connection')).toBe('close');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await callback(url, 'during-drain')).toEqual({ status: 503, retryAfter: '5' });

    await closing;
    expect(await callback(url, 'after-close')).toEqual({ status: 'refused' });
    expect(fake.sessionReplies().map((r) => r.query.session)).toEqual(['in-flight']);
    const samples = parseMetrics((await app.metrics?.registry.metrics()) ?? '');
    expect(sampleValue(samples, 'dingtalk_qa_bot_replies_total', { result: 'sent' })).toBe(1);
    expect(sampleValue(samples, 'dingtalk_qa_bot_callbacks_total', { outcome: 'stopping' })).toBe(1);
  });
});

/** The bot as `npm start` runs it, in its own process, with its JSON log lines collected. */
interface BotProcess {
  child: ChildProcess;
  url: string;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose msg contains `text`. */
  logged(text: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

async function startBotProcess(local = '', knowledgeDir = tempKnowledge(FIXTURE_FILES)): Promise<BotProcess> {
  const configDir = tempKnowledge({});
  copyFileSync('config/default.yaml', join(configDir, 'default.yaml'));
  copyFileSync('config/synonyms.yaml', join(configDir, 'synonyms.yaml'));
  writeFileSync(join(configDir, 'local.yaml'), local);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      CONFIG_DIR: configDir,
      KNOWLEDGE_DIR: knowledgeDir,
      DATA_DIR: join(tempKnowledge({}), 'data'),
      PORT: '0',
      DINGTALK_APP_SECRET: APP_SECRET,
      DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
      DINGTALK_API_BASE: fake.url,
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logged = (text: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const line = lines.find((l) => typeof l.msg === 'string' && l.msg.includes(text));
        if (!line) return;
        waiters.delete(check);
        resolve(line);
      };
      waiters.add(check);
      check();
      void exited.then(() => {
        check();
        if (waiters.delete(check)) reject(new Error(`the bot exited without logging "${text}"; it logged:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
      });
    });
  const port = (await logged('listening')).port as number;
  await logged('knowledge loaded');
  return { child, url: `http://127.0.0.1:${port}`, lines, logged, exited };
}

describe('SIGTERM', () => {
  let bot: BotProcess | undefined;
  afterEach(() => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    bot = undefined;
  });

  it('sends the reply in flight, answers no new callback, logs that it drained and exits 0', async () => {
    bot = await startBotProcess();
    fake.script([{ delayMs: REPLY_DELAY_MS }], SESSION_PATH);
    expect((await callback(bot.url, 'p-in-flight')).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'p-in-flight');

    bot.child.kill('SIGTERM');
    await bot.logged('shutting down');
    const late = await callback(bot.url, 'p-after-sigterm');
    expect(late.status === 503 || late.status === 'refused', `status ${late.status}`).toBe(true);

    expect(await bot.exited).toBe(0);
    const messages = bot.lines.map((l) => l.msg);
    expect(messages.indexOf('reply sent')).toBeGreaterThan(messages.indexOf('shutting down: refusing new callbacks, finishing replies and posts in flight'));
    expect(messages.indexOf('drained: replies and posts in flight finished; exiting')).toBeGreaterThan(messages.indexOf('reply sent'));
    expect(messages).not.toContain('reply failed');
    expect(fake.sessionReplies().map((r) => r.query.session)).toEqual(['p-in-flight']);
  }, 30_000);

  it('exits 1 with an error when the drain outlasts server.shutdownTimeoutSeconds', async () => {
    bot = await startBotProcess('server:\n  shutdownTimeoutSeconds: 1\n');
    fake.script([{ delayMs: 10_000 }], SESSION_PATH);
    expect((await callback(bot.url, 'p-slow')).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'p-slow');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(1);
    expect(bot.lines.find((l) => String(l.msg).startsWith('shutdown deadline passed'))).toMatchObject({ level: 'error', timeoutSeconds: 1 });
  }, 30_000);

  it('with a named pipe dropped into a knowledge folder, still serves later edits and exits within the deadline on SIGTERM', async () => {
    const dir = tempKnowledge(FIXTURE_FILES);
    const deadlineSeconds = 3;
    bot = await startBotProcess(`server:\n  shutdownTimeoutSeconds: ${deadlineSeconds}\n`, dir);
    const running = bot;
    await bot.logged('watching the knowledge folders');
    let asked = 0;
    /** Edits the Multi-Raft answer and asks until the bot serves it, for at most ten seconds. */
    const editAndAsk = async (answer: string): Promise<string> => {
      writeFileSync(join(dir, 'faq/multi-raft.md'), `---\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\nproject: SOFAJRaft\n---\n${answer}\n`);
      const since = Date.now();
      let reply = '';
      while (Date.now() - since < 10_000 && !reply.includes(answer)) {
        reply = JSON.stringify(await askInGroup(fake, running.url, `p-fifo-${++asked}`, 'jraft 支持 multi raft 吗'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return reply;
    };
    // The first edit proves the watcher works before the pipe appears.
    expect(await editAndAsk('支持，第二版答案。')).toContain('第二版答案');
    execFileSync('mkfifo', [join(dir, 'faq/pipe.md')]);
    expect(await editAndAsk('支持，第三版答案。')).toContain('第三版答案');
    expect(bot.lines.find((l) => String(l.msg).includes('pipe.md'))).toMatchObject({ level: 'error' });

    const signalled = Date.now();
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    // Loose: the point is that it exits at all (a reader blocked on the pipe held it until SIGKILL).
    expect(Date.now() - signalled).toBeLessThan(deadlineSeconds * 1000 + 5_000);
  }, 60_000);

  it('takes a signal repeated at once as the same request, and exits 1 at once on a later second signal', async () => {
    bot = await startBotProcess();
    fake.script([{ delayMs: 10_000 }], SESSION_PATH);
    expect((await callback(bot.url, 'p-second')).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'p-second');
    // Ctrl-C under npm start: the terminal's SIGINT and npm's copy of it.
    bot.child.kill('SIGINT');
    bot.child.kill('SIGINT');
    await bot.logged('shutting down');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bot.child.exitCode).toBeNull();
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(1);
    expect(bot.lines.filter((l) => String(l.msg).startsWith('shutting down'))).toHaveLength(1);
    expect(bot.lines.find((l) => l.msg === 'second signal: exiting before the drain finished')).toMatchObject({ level: 'error', signal: 'SIGTERM' });
  }, 30_000);
});
