import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

// Kills the running service at random moments while posts are due, restarts it against the fake
// DingTalk each time, and checks that every due post arrived exactly once.
const KILLS = 20;
const EVENTS = 15;
// DingTalk answers slowly in this test, so kills land in the middle of sends.
const ANSWER_DELAY_MS = 300;
const GROUPS = [
  { name: 'community', token: 'token-community', secret: 'SECcommunity-test-secret' },
  { name: 'meetups', token: 'token-meetups', secret: 'SECmeetups-test-secret' },
];

let fake: FakeDingTalk;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeDingTalk({ robots: Object.fromEntries(GROUPS.map((g) => [g.token, { secret: g.secret }])) });
  // Events whose 1-hour reminders fell due in the last minutes: inside the 30-minute catch-up window.
  const now = Date.now();
  const files: Record<string, string> = {};
  for (let i = 0; i < EVENTS; i++) {
    const start = new Date(now + 60 * 60_000 - (i + 1) * 60_000).toISOString();
    files[`events/e${i}.md`] = `---\ntitle: 崩溃测试直播 ${i}\nstart: ${start}\nkind: live\nremind: [1h]\n---\n`;
  }
  const configDir = tempKnowledge({});
  copyFileSync('config/default.yaml', join(configDir, 'default.yaml'));
  copyFileSync('config/synonyms.yaml', join(configDir, 'synonyms.yaml'));
  writeFileSync(
    join(configDir, 'local.yaml'),
    `groups:\n${GROUPS.map((g) => `  - name: ${g.name}\n    tokenEnv: TOKEN_${g.name.toUpperCase()}\n    secretEnv: SECRET_${g.name.toUpperCase()}\n    posts: [reminders]\n`).join('')}`,
  );
  const dataDir = join(tempKnowledge({}), 'data');
  mkdirSync(dataDir);
  env = {
    ...process.env,
    CONFIG_DIR: configDir,
    KNOWLEDGE_DIR: tempKnowledge(files),
    DATA_DIR: dataDir,
    PORT: '0',
    DINGTALK_API_BASE: fake.url,
    LOG_LEVEL: 'warn',
    ...Object.fromEntries(GROUPS.flatMap((g) => [[`TOKEN_${g.name.toUpperCase()}`, g.token], [`SECRET_${g.name.toUpperCase()}`, g.secret]])),
  };
});

afterAll(async () => {
  await fake.close();
});

function startService(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: 'ignore' });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const expected = EVENTS * GROUPS.length;
const sentUuids = () => fake.delivered().filter((r) => r.path === '/robot/send').map((r) => (r.json as { msgUuid: string }).msgUuid);

describe('scheduled posts survive kill -9', () => {
  it(`delivers every due post exactly once across ${KILLS} kills and restarts`, async () => {
    fake.script(Array.from({ length: 1000 }, () => ({ delayMs: ANSWER_DELAY_MS })));
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let run = 0; run < KILLS; run++) {
      const child = startService();
      const before = fake.sends().length;
      if (run % 2 === 0) {
        // Kill while a send is under way: once the fake has this run's first request, at a random point of its answer.
        await fake.waitFor((r) => r.path === '/robot/send', { count: before + 1, timeoutMs: 10_000 }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 2 * ANSWER_DELAY_MS)));
      } else {
        // Kill at a random moment: during start-up, planning, or sending.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 3000)));
      }
      await kill(child);
    }
    const last = startService();
    const deadline = Date.now() + 120_000;
    while (new Set(sentUuids()).size < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kill(last);

    const delivered = fake.delivered().filter((r) => r.path === '/robot/send');
    expect(new Set(sentUuids()).size).toBe(expected);
    // Exactly once: no message appears twice in a chat (a resend with the same msgUuid is dropped by DingTalk).
    expect(delivered).toHaveLength(expected);
    expect(fake.rateLimitViolations()).toEqual([]);
    const texts = delivered.map((r) => JSON.stringify(r.json));
    for (let i = 0; i < EVENTS; i++) expect(texts.filter((t) => t.includes(`崩溃测试直播 ${i}**`))).toHaveLength(GROUPS.length);
    // The kills did interrupt sending: some posts reached DingTalk more than once and were dropped there.
    expect(fake.sends().filter((r) => r.reply.duplicate).length + fake.sends().filter((r) => r.reply.status === 0).length).toBeGreaterThan(0);
  }, 240_000);
});
