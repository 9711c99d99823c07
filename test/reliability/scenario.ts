import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../src/app.js';
import { createFileStateStore } from '../../src/state/create-file-state-store.js';
import { createRedisStateStore } from '../../src/state/create-redis-state-store.js';
import { createLogger } from '../../src/logger.js';
import { APP_SEND_PATH, startFakeDingTalk, type FakeBehaviour, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { APP_ROBOT, appRobotEnv, configDir, dueEvents, GROUP, subscribeAppGroup, type Destination, type StoreKind } from '../helpers/deploy-bots.js';
import { startFakeStreamGateway } from '../helpers/fake-stream-gateway.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { startApp } from '../helpers/start-app.js';
import { APP_SECRET, groupMessage } from '../helpers/start-bot-server.js';

// The pieces of the reliability suite: a fake DingTalk, knowledge with posts falling due now, bot
// instances in this process or as child processes, and the count of what reached the chat.

export { deploy, dueEvents, type Destination, type StoreKind } from '../helpers/deploy-bots.js';

/** One row of the table the suite prints. */
export interface Row {
  fault: string;
  store: StoreKind;
  instances: number;
  /** Faults injected: scripted failures, kills or Redis restarts. */
  injected: number;
  /** Messages that should reach the chat exactly once. */
  expected: number;
  /** Requests the bot made for them (attempts, resends included). */
  sent: number;
  /** Distinct messages that reached the chat. */
  delivered: number;
  /** Messages that reached the chat more than once. */
  duplicated: number;
  lost: number;
}

export const rows: Row[] = [];

export function printTable(): void {
  const header = ['fault', 'store', 'instances', 'faults injected', 'messages', 'sent', 'delivered', 'duplicated', 'lost'];
  const lines = rows.map((r) => [r.fault, r.store, String(r.instances), String(r.injected), String(r.expected), String(r.sent), String(r.delivered), String(r.duplicated), String(r.lost)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  process.stdout.write(`\nreliability suite\n${format(header)}\n${lines.map(format).join('\n')}\n\n`);
}

/** Scheduled posts as the fake DingTalk saw them: each message counted by its msgUuid (webhook) or its text (app robot). */
export function countPosts(fake: FakeDingTalk, expected: number, destination: Destination = 'webhook'): Pick<Row, 'expected' | 'sent' | 'delivered' | 'duplicated' | 'lost'> {
  if (destination === 'app') {
    // No msgUuid here: every accepted request is in the chat, so the same text twice is a duplicate.
    const shown = fake.delivered().filter((r) => r.path === APP_SEND_PATH);
    const distinct = new Set(shown.map((r) => (r.json as { msgParam?: string }).msgParam)).size;
    return { expected, sent: fake.appSends().length, delivered: distinct, duplicated: shown.length - distinct, lost: expected - distinct };
  }
  const sends = fake.sends();
  const uuid = (json: unknown) => (json as { msgUuid?: string }).msgUuid ?? '';
  // A resend with a msgUuid DingTalk already has is dropped there; the chat shows it once.
  const shown = fake.delivered().filter((r) => r.path === '/robot/send');
  const distinct = new Set(shown.map((r) => uuid(r.json)));
  // The same post under two msgUuids would show twice: count by content too.
  const texts = new Set(shown.map((r) => JSON.stringify((r.json as { markdown?: unknown }).markdown)));
  return { expected, sent: sends.length, delivered: Math.min(distinct.size, texts.size), duplicated: shown.length - Math.min(distinct.size, texts.size), lost: expected - Math.min(distinct.size, texts.size) };
}

/** Ticks every instance's scheduler (as its minute timer would, only faster) until `done` or the deadline. */
export async function tickUntil(apps: readonly App[], done: () => boolean, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done() && Date.now() < deadline) {
    await Promise.all(apps.map((app) => app.scheduler.tick()));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export type { FakeBehaviour };

/** The service as an operator runs it (`node src/main.ts`), killed with SIGKILL at random moments. */
export async function killAndRestart(options: {
  store: StoreKind;
  redisUrl?: string;
  kills: number;
  events: number;
  destination?: Destination;
}): Promise<Row> {
  const destination = options.destination ?? 'webhook';
  const toApp = destination === 'app';
  // DingTalk answers slowly here, so kills land in the middle of sends.
  const answerDelayMs = 300;
  const fake = await startFakeDingTalk({ robots: { [GROUP.token]: { secret: GROUP.secret } }, ...(toApp ? { app: { appKey: APP_ROBOT.appKey, appSecret: APP_ROBOT.appSecret } } : {}) });
  const sendPath = toApp ? APP_SEND_PATH : '/robot/send';
  fake.script(Array.from({ length: 1000 }, () => ({ delayMs: answerDelayMs })), sendPath);
  const dataDir = join(tempKnowledge({}), 'data');
  mkdirSync(dataDir);
  const keyPrefix = `kill-${process.pid}-${Date.now()}:`;
  // The app robot's group is subscribed from the chat, not configured: no `groups:` then.
  const groups = toApp ? '' : `groups:\n  - name: ${GROUP.name}\n    tokenEnv: RELIABILITY_TOKEN\n    secretEnv: RELIABILITY_SECRET\n    posts: [reminders]\n`;
  if (toApp) await subscribeAppGroup(options.store === 'redis' ? { redisUrl: options.redisUrl ?? '', keyPrefix } : { dataDir });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONFIG_DIR: configDir(`${groups}state:\n  redisKeyPrefix: "${keyPrefix}"\n`),
    KNOWLEDGE_DIR: tempKnowledge(dueEvents(options.events, 'kill')),
    DATA_DIR: dataDir,
    PORT: '0',
    DINGTALK_API_BASE: fake.url,
    LOG_LEVEL: 'warn',
    RELIABILITY_TOKEN: GROUP.token,
    RELIABILITY_SECRET: GROUP.secret,
    ...(options.store === 'redis' ? { REDIS_URL: options.redisUrl } : {}),
    ...(toApp ? appRobotEnv(fake) : {}),
  };
  const start = (): ChildProcess => spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: 'ignore' });
  const kill = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let run = 0; run < options.kills; run++) {
    const child = start();
    const before = fake.requests.filter((r) => r.path === sendPath).length;
    if (run % 2 === 0) {
      // While a send is under way: once this run's first request arrived, at a random point of its answer.
      await fake.waitFor((r) => r.path === sendPath, { count: before + 1, timeoutMs: 10_000 }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 2 * answerDelayMs)));
    } else {
      // At a random moment: during start-up, planning or sending.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 3000)));
    }
    await kill(child);
  }
  const last = start();
  // Generous: with Redis the last instance may first wait for a killed one's lock to expire (30 s).
  const deadline = Date.now() + 200_000;
  // App robot: a post a kill left "attempted" is recorded unconfirmed and never resent, so the wait
  // also ends once every post has its record, whatever it says.
  const posts = toApp ? (options.store === 'redis' ? createRedisStateStore({ url: options.redisUrl ?? '', keyPrefix, dedupeRetentionMs: 1, logger: createLogger('silent') }) : createFileStateStore({ dataDir, dedupeRetentionMs: 1, logger: createLogger('silent') })) : undefined;
  const recorded = async () => (posts ? Object.entries((await posts.posts.load()).log).filter(([, r]) => r.group === `chat:${APP_ROBOT.openConversationId}`) : []);
  const allRecorded = async () => (await recorded()).length >= options.events;
  while (countPosts(fake, options.events, destination).delivered < options.events && !(await allRecorded()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const unconfirmedKeys = (await recorded()).filter(([, r]) => r.outcome === 'unconfirmed').map(([key]) => key);
  await posts?.close();
  // Time for a duplicate to show, were there one.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await kill(last);
  const counted = countPosts(fake, options.events, destination);
  let fault = 'kill -9 during sends';
  if (toApp) {
    // At most once: a kill after "attempted" is on disk and before the request left loses the post,
    // which the next start records unconfirmed (and logs as an error) instead of risking a second
    // copy. A post is lost only when it is neither in the chat nor recorded so.
    const shown = fake.delivered().filter((r) => r.path === APP_SEND_PATH).map((r) => String((r.json as { msgParam?: string }).msgParam ?? ''));
    const undelivered = Array.from({ length: options.events }, (_, i) => i).filter((i) => !shown.some((text) => new RegExp(`kill 直播 ${i}(?!\\d)`).test(text)));
    const reported = undelivered.filter((i) => unconfirmedKeys.some((key) => new RegExp(`kill-${i}(?!\\d)`).test(key)));
    counted.lost = undelivered.length - reported.length;
    fault += ` (app robot; ${unconfirmedKeys.length} recorded unconfirmed, ${reported.length} of them not in the chat)`;
  }
  const row: Row = { fault, store: options.store, instances: 1, injected: options.kills, ...counted };
  if (fake.rateLimitViolations().length > 0) row.fault += ` (${fake.rateLimitViolations().length} over the rate limit!)`;
  await fake.close();
  return row;
}

/**
 * Stream mode under faults: questions pushed one after another as CALLBACK frames while answers
 * are in flight (the session webhook answers after 150 ms), every few messages a connection dropped
 * or an instance restarted (close(), as on SIGTERM, then a new one on the same data). The gateway
 * pushes a frame again on the next connection when the one it went out on closed before its ack,
 * as DingTalk is reported to do. Every message must be answered once.
 */
export async function streamFaults(options: { store: StoreKind; instances: number; messages: number; redisUrl?: string }): Promise<Row> {
  const fake = await startFakeDingTalk();
  fake.script(Array.from({ length: options.messages * 2 }, () => ({ delayMs: 150 })), '/robot/sendBySession');
  const gateway = await startFakeStreamGateway({ clientSecret: APP_SECRET, redeliverUnacked: true });
  const knowledgeDir = tempKnowledge(FIXTURE_FILES);
  const dir = configDir(`state:\n  redisKeyPrefix: "stream-reliability-${process.pid}-${Date.now()}:"\n`);
  const dataDirs = Array.from({ length: options.instances }, () => tempKnowledge({}));
  const start = async (slot: number): Promise<App> => {
    const { app } = await startApp({
      fake,
      knowledgeDir,
      env: {
        CONFIG_DIR: dir,
        DATA_DIR: dataDirs[slot],
        DINGTALK_MODE: 'stream',
        DINGTALK_APP_KEY: gateway.clientId,
        DINGTALK_OPENAPI_BASE: gateway.url,
        ...(options.store === 'redis' ? { REDIS_URL: options.redisUrl } : {}),
      },
      deps: { streamTiming: { reconnectBaseMs: 100, reconnectMaxMs: 1000 } },
    });
    app.startStream();
    return app;
  };
  const apps = await Promise.all(dataDirs.map((_, slot) => start(slot)));
  let faults = 0;
  try {
    await gateway.waitUntil(() => gateway.live().length === options.instances, 'every instance connected');
    for (let i = 0; i < options.messages; i++) {
      const messageId = gateway.push(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook(`stream-${i}`), { robotCode: gateway.clientId }));
      if (i % 7 === 3) {
        const live = gateway.live();
        const victim = live[i % Math.max(1, live.length)];
        if (victim) {
          gateway.drop(victim);
          faults++;
        }
      } else if (i % 11 === 6) {
        const slot = i % options.instances;
        await apps[slot]?.close();
        apps[slot] = await start(slot);
        faults++;
      }
      // Each message taken (acked, perhaps after a re-push) before the next; its answer still in flight.
      await gateway.waitForAck(messageId, 20_000);
    }
    const sessions = (r: { query: Record<string, string> }) => r.query.session ?? '';
    await fake.waitFor(() => new Set(fake.sessionReplies().map(sessions)).size >= options.messages, { timeoutMs: 30_000 }).catch(() => undefined);
    await Promise.all(apps.map((app) => app.http.idle()));
    const replies = Array.from({ length: options.messages }, (_, i) => fake.sessionReplies().filter((r) => r.query.session === `stream-${i}`).length);
    const delivered = replies.filter((n) => n > 0).length;
    return {
      fault: 'Stream: drops and restarts during answers',
      store: options.store,
      instances: options.instances,
      injected: faults,
      expected: options.messages,
      sent: fake.sessionReplies().length,
      delivered,
      duplicated: replies.filter((n) => n > 1).length,
      lost: options.messages - delivered,
    };
  } finally {
    await Promise.all(apps.map((app) => app.close()));
    await gateway.close();
    await fake.close();
  }
}
