import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

// The repository's defaults plus a local.yaml pinning what these tests depend on.
function configDir(local: string): string {
  const dir = tempKnowledge({ 'local.yaml': `timezone: Asia/Shanghai\nreminders:\n  offsets: [1d, 1h]\n${local}` });
  copyFileSync('config/default.yaml', join(dir, 'default.yaml'));
  return dir;
}

async function run(args: string[], config: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { CONFIG_DIR: config }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const knowledge = tempKnowledge({
  'events/live.md': '---\ntitle: SOFAChannel#40\nstart: 2024-05-30T19:00\nkind: live\nurl: https://example.org/live\n---\n',
  'events/meetup.md': '---\ntitle: Meetup 上海站\nstart: 2024-05-30T21:00\nkind: meetup\nlocation: 上海\nremind: 2h\ngroups: [community]\n---\n',
  'faq/a.md': '---\nquestion: q\n---\na\n',
});
const window = ['--from', '2024-05-29T00:00:00+08:00', '--to', '2024-05-31T00:00:00+08:00'];
const liveText = (soon: string) =>
  [`**直播提醒：${soon}开始**`, '**[SOFAChannel#40](https://example.org/live)**', '- 时间：5 月 30 日 周四 19:00', '链接：[https://example.org/live](https://example.org/live)'].join('\n\n');

describe('cli reminders', () => {
  it('plans for a "console" group when no group is configured; events naming groups go nowhere', async () => {
    const { code, out, err } = await run(['reminders', '--knowledge', knowledge, ...window], configDir('groups: []\n'));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        key: 'events/live|console|1d|2024-05-30T11:00:00Z',
        event: 'events/live',
        group: 'console',
        at: '2024-05-29T19:00:00+08:00',
        offset: '1d',
        start: '2024-05-30T19:00:00+08:00',
        text: liveText('明天'),
      },
      {
        key: 'events/live|console|1h|2024-05-30T11:00:00Z',
        event: 'events/live',
        group: 'console',
        at: '2024-05-30T18:00:00+08:00',
        offset: '1h',
        start: '2024-05-30T19:00:00+08:00',
        text: liveText('1 小时后'),
      },
    ]);
  });

  it("routes to the configured groups that take reminders, honouring an event's groups", async () => {
    const config = configDir(
      'groups:\n  - name: community\n    tokenEnv: T1\n    posts: [reminders]\n  - name: news\n    tokenEnv: T2\n    posts: [digest]\n',
    );
    const { code, out } = await run(['reminders', '--knowledge', knowledge, ...window], config);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as { key: string; at: string; text: string });
    expect(lines.map((l) => [l.key, l.at])).toEqual([
      ['events/live|community|1d|2024-05-30T11:00:00Z', '2024-05-29T19:00:00+08:00'],
      ['events/live|community|1h|2024-05-30T11:00:00Z', '2024-05-30T18:00:00+08:00'],
      ['events/meetup|community|2h|2024-05-30T13:00:00Z', '2024-05-30T19:00:00+08:00'],
    ]);
    expect(lines[2]?.text).toBe(['**Meetup 提醒：2 小时后开始**', '**Meetup 上海站**', '- 时间：5 月 30 日 周四 21:00\n- 地点：上海'].join('\n\n'));
  });

  it('reads --from and --to without an offset in the configured zone, [from, to)', async () => {
    const config = configDir('groups: []\n');
    const at = await run(['reminders', '--knowledge', knowledge, '--from', '2024-05-30T18:00', '--to', '2024-05-30T18:01'], config);
    expect(at.out.map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['events/live|console|1h|2024-05-30T11:00:00Z']);
    const before = await run(['reminders', '--knowledge', knowledge, '--from', '2024-05-30T17:00', '--to', '2024-05-30T18:00'], config);
    expect(before).toEqual({ code: 0, out: [], err: [] });
  });

  it('exits 2 on a missing, invalid or empty window', async () => {
    const config = configDir('groups: []\n');
    const missing = await run(['reminders', '--knowledge', knowledge, '--from', '2024-05-29T00:00:00+08:00'], config);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/^reminders needs --from and --to\n\nusage:/);
    expect(missing.out).toEqual([]);
    const invalid = await run(['reminders', '--knowledge', knowledge, '--from', 'yesterday', '--to', '2024-05-31T00:00:00+08:00'], config);
    expect(invalid).toEqual({ code: 2, out: [], err: ['--from: not an ISO 8601 date-time: yesterday'] });
    const badTo = await run(['reminders', '--knowledge', knowledge, '--from', '2024-05-29T00:00:00+08:00', '--to', '2024-05-32'], config);
    expect(badTo).toEqual({ code: 2, out: [], err: ['--to: not an ISO 8601 date-time: 2024-05-32'] });
    const empty = await run(['reminders', '--knowledge', knowledge, '--from', '2024-05-31T00:00:00+08:00', '--to', '2024-05-29T00:00:00+08:00'], config);
    expect(empty).toEqual({ code: 2, out: [], err: ['--to: must be after --from'] });
    expect((await run(['reminders', '--knowledge', knowledge, ...window, 'extra'], config)).code).toBe(2);
  });

  it('is in the usage', async () => {
    const { out } = await run(['help'], configDir(''));
    expect(out.join('\n')).toContain('reminders [--knowledge DIR ...] --from ISO --to ISO');
    expect(out.join('\n')).toContain('configured, planned for one dry-run group named "console"');
  });
});
