import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { App } from '../../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { askInGroup, startApp } from '../helpers/start-app.js';

// The acceptance test of the unanswered-questions loop: members ask through signed callbacks, the
// running bot records what it could not answer, and admins list and draft it from the command line.
let fake: FakeDingTalk;
let app: App;
let url: string;
const dataDir = tempKnowledge({});
const env = { CONFIG_DIR: 'config', DATA_DIR: dataDir };

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let asked = 0;
/** Asks the bot in a group and returns the reply's text. */
async function ask(question: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const session = `unanswered-${++asked}`;
  return JSON.stringify(await askInGroup(fake, url, session, question, overrides));
}

beforeAll(async () => {
  fake = await startFakeDingTalk();
  ({ app, url } = await startApp({ fake, knowledgeDir: tempKnowledge(FIXTURE_FILES), env }));
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

describe('unanswered questions, from the group to a FAQ draft', () => {
  it('records what the bot could not answer, groups the phrasings, and drafts a FAQ that validate accepts once answered', async () => {
    // Three phrasings of one question the knowledge lacks, one other, and messages that are not unanswered questions.
    expect(await ask('sofa-mosn 支持 http3 吗')).toMatch(/没有找到答案|你想问的是不是/);
    expect(await ask('mosn 能不能用 http/3')).toMatch(/没有找到答案|你想问的是不是/);
    expect(await ask('MOSN 有 HTTP3 支持吗', { conversationTitle: 'MOSN 用户群', senderNick: '韩梅梅', senderStaffId: 'user0099' })).toMatch(/没有找到答案|你想问的是不是/);
    expect(await ask('Seata 支持 Oracle 数据库吗', { conversationType: '1', conversationTitle: undefined })).toMatch(/没有找到答案|你想问的是不是/);
    expect(await ask('jraft 支持 multi raft 吗')).toContain('RheaKV');
    expect(await ask('帮助')).toContain('最新版本 Seata');
    // Closing writes what the log holds, as a restart would.
    await app.close();

    const stored = readFileSync(join(dataDir, 'unanswered.json'), 'utf8');
    expect(stored).not.toMatch(/Li Lei|韩梅梅|user0042|user0099|cidGroupTest/);

    const listed = await run(['unanswered']);
    expect(listed.code).toBe(0);
    const rows = listed.out.filter((line) => /^\s+\d+\s+\d+\s+\d{4}-\d{2}-\d{2}\s/.test(line)).map((line) => line.trim().split(/\s+/));
    expect(rows.map(([count, variants]) => [Number(count), Number(variants)])).toEqual([
      [3, 2],
      [1, 0],
    ]);
    expect(listed.out.join('\n')).toContain('sofa-mosn 支持 http3 吗');
    expect(listed.out.join('\n')).toContain('≈ mosn 能不能用 http/3 (1)');
    expect(listed.out.join('\n')).toContain('Seata 支持 Oracle 数据库吗');
    expect(listed.out.join('\n')).not.toMatch(/jraft|帮助/);
    expect((await run(['unanswered', '--top', '1'])).out.filter((l) => /^\s+\d+\s+\d+\s+\d{4}/.test(l))).toHaveLength(1);

    const drafts = tempKnowledge({});
    const drafted = await run(['unanswered', '--top', '1', '--draft', drafts]);
    expect(drafted.code).toBe(0);
    const [name] = readdirSync(drafts);
    expect(name).toMatch(/^sofa-mosn-http3-[0-9a-f]{8}\.md$/);
    const draftFile = join(drafts, name ?? '');
    const draft = readFileSync(draftFile, 'utf8');
    expect(draft).toMatch(/^---\nkind: faq\nquestion: sofa-mosn 支持 http3 吗\naliases:\n {2}- mosn 能不能用 http\/3\n {2}- MOSN 有 HTTP3 支持吗\ntags:\n {2}- draft\n/);
    expect(draft).toContain('写下答案');
    expect(draft).toContain('write the answer');

    // Until the admin writes the answer, the draft is refused.
    const refused = await run(['validate', '--knowledge', drafts]);
    expect(refused.code).toBe(1);
    expect(refused.out).toEqual([expect.stringMatching(new RegExp(`^${draftFile}:\\d+: the answer \\(the text after the front matter\\) is empty$`))]);

    writeFileSync(draftFile, `${draft}\n目前 MOSN 还不支持 HTTP/3，可以关注 MOSN 的 GitHub issues。\n`);
    const accepted = await run(['validate', '--knowledge', drafts]);
    expect(accepted.code).toBe(0);
    expect(accepted.err).toEqual(['1 files, 1 entries, 0 errors, 0 warnings']);
    const exported = await run(['export', '--knowledge', drafts]);
    expect(JSON.parse(exported.out[0] ?? '{}')).toMatchObject({
      kind: 'faq',
      title: 'sofa-mosn 支持 http3 吗',
      aliases: ['mosn 能不能用 http/3', 'MOSN 有 HTTP3 支持吗'],
      answer: '目前 MOSN 还不支持 HTTP/3，可以关注 MOSN 的 GitHub issues。',
    });

    // Drafting again never overwrites the answered file; the other group gets its own draft.
    const again = await run(['unanswered', '--draft', drafts]);
    expect(again.err.join('\n')).toContain(`kept ${draftFile}: it exists already`);
    expect(readFileSync(draftFile, 'utf8')).toContain('目前 MOSN 还不支持 HTTP/3');
    expect(readdirSync(drafts)).toHaveLength(2);
  });

  it('says so when nothing is recorded, and refuses a bad --top', async () => {
    const empty = await runCli(['unanswered'], { CONFIG_DIR: 'config', DATA_DIR: tempKnowledge({}) }, { out: () => undefined, err: () => undefined });
    expect(empty).toBe(0);
    for (const top of ['0', 'x', '1.5']) {
      const bad = await run(['unanswered', '--top', top]);
      expect(bad.code).toBe(2);
      expect(bad.err.join('\n')).toContain('--top: expected a whole number');
    }
  });

  it('reports an unreadable log file with its path instead of crashing', async () => {
    const broken = tempKnowledge({ 'unanswered.json': '{"version": 1, "groups": [' });
    const err: string[] = [];
    const code = await runCli(['unanswered'], { CONFIG_DIR: 'config', DATA_DIR: broken }, { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/unanswered\.json: not JSON/);
  });
});
