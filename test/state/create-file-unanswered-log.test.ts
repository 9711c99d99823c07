import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { createQuestionAnalyser } from '../../src/search/create-question-analyser.js';
import { createRemoteQuestionAnalyser } from '../../src/search/create-remote-question-analyser.js';
import { createFileUnansweredLog, UNANSWERED_FILE } from '../../src/state/create-file-unanswered-log.js';
import type { UnansweredLog } from '../../src/state/unanswered-log.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const analyser = createQuestionAnalyser(createTokenizer(loadConfig({ CONFIG_DIR: 'config' }).vocabulary));
const ZONE = 'Asia/Shanghai';
const MONDAY = Date.parse('2024-05-20T09:00:00+08:00');
const DAY = 86_400_000;

function openLog(dataDir: string, logLines: string[] = [], limits = {}): UnansweredLog {
  const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
  return createFileUnansweredLog({ dataDir, zone: ZONE, analyser, logger, limits });
}

describe('file unanswered log', () => {
  it('groups three phrasings of one question apart from a different one, most asked first', async () => {
    const log = openLog(tempKnowledge({}));
    await log.record({ text: 'sofa-mosn 支持 http3 吗', chat: 'Community Q&A', at: MONDAY });
    await log.record({ text: 'Seata 支持 Oracle 吗', chat: 'Community Q&A', at: MONDAY + 1000 });
    await log.record({ text: 'mosn 能不能用 http/3', chat: 'Community Q&A', at: MONDAY + 2000 });
    await log.record({ text: 'MOSN 有 HTTP3 支持吗', chat: 'MOSN 用户群', at: MONDAY + 3000 });
    const groups = await log.groups();
    expect(groups.map((g) => [g.question, g.count, g.variants.map((v) => v.text)])).toEqual([
      ['sofa-mosn 支持 http3 吗', 3, ['mosn 能不能用 http/3', 'MOSN 有 HTTP3 支持吗']],
      ['Seata 支持 Oracle 吗', 1, []],
    ]);
    expect(groups[0]).toMatchObject({
      firstSeen: new Date(MONDAY).toISOString(),
      lastSeen: new Date(MONDAY + 3000).toISOString(),
      chats: [
        { chat: 'Community Q&A', count: 2 },
        { chat: 'MOSN 用户群', count: 1 },
      ],
    });
    await log.close();
  });

  it('counts a repeated phrasing once more, and the most asked phrasing represents its group', async () => {
    const log = openLog(tempKnowledge({}));
    await log.record({ text: 'mosn 能不能用 http/3', chat: 'g', at: MONDAY });
    await log.record({ text: 'MOSN 有 HTTP3 支持吗', chat: 'g', at: MONDAY + 1 });
    await log.record({ text: 'MOSN 有 HTTP3 支持吗？', chat: 'g', at: MONDAY + 2 });
    const [group] = await log.groups();
    expect(group).toMatchObject({ question: 'MOSN 有 HTTP3 支持吗', count: 3, variants: [{ text: 'mosn 能不能用 http/3', count: 1 }] });
    await log.close();
  });

  it('keeps no mentions of people and skips messages without a question in them', async () => {
    const log = openLog(tempKnowledge({}));
    await log.record({ text: '@张三 seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    await log.record({ text: '谢谢', chat: 'g', at: MONDAY });
    await log.record({ text: '   ', chat: 'g', at: MONDAY });
    expect((await log.groups()).map((g) => g.question)).toEqual(['seata 支持 oracle 吗']);
    await log.close();
  });

  it('counts a window of days for the weekly digest', async () => {
    const log = openLog(tempKnowledge({}));
    await log.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY - 7 * DAY });
    await log.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    await log.record({ text: 'mosn 支持 http3 吗', chat: 'g', at: MONDAY + DAY });
    await log.record({ text: 'mosn 支持 http3 吗', chat: 'g', at: MONDAY + 2 * DAY });
    const week = await log.groups({ from: '2024-05-20', to: '2024-05-26' });
    expect(week.map((g) => [g.question, g.count])).toEqual([
      ['mosn 支持 http3 吗', 2],
      ['seata 支持 oracle 吗', 1],
    ]);
    expect((await log.groups({ from: '2024-05-13', to: '2024-05-19' })).map((g) => g.count)).toEqual([1]);
    expect(await log.groups({ from: '2024-05-27', to: '2024-06-02' })).toEqual([]);
    await log.close();
  });

  it('stays within its bounds: the least recently asked group and least asked phrasing go first', async () => {
    const log = openLog(tempKnowledge({}), [], { groups: 2, variants: 2, textChars: 24 });
    await log.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    await log.record({ text: 'mosn 支持 http3 吗', chat: 'g', at: MONDAY + 1 });
    await log.record({ text: 'sofarpc 支持 kotlin 协程吗', chat: 'g', at: MONDAY + 2 });
    await log.record({ text: 'MOSN 有 HTTP3 支持吗', chat: 'g', at: MONDAY + 3 });
    await log.record({ text: 'MOSN 有 HTTP3 支持吗', chat: 'g', at: MONDAY + 4 });
    await log.record({ text: 'mosn 能不能用 http/3', chat: 'g', at: MONDAY + 5 });
    await log.record({ text: `sofarpc 支持 kotlin 协程吗，${'很长'.repeat(50)}`, chat: 'g', at: MONDAY + 6 });
    const groups = await log.groups();
    expect(groups.map((g) => [g.question, g.variants.map((v) => v.text)])).toEqual([
      ['MOSN 有 HTTP3 支持吗', ['mosn 支持 http3 吗']],
      ['sofarpc 支持 kotlin 协程吗', ['sofarpc 支持 kotlin 协程吗，很长']],
    ]);
    await log.close();
  });

  it('survives a restart: what was recorded is read back and counting goes on', async () => {
    const dataDir = tempKnowledge({});
    const first = openLog(dataDir);
    await first.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    await first.record({ text: 'seata 能用 oracle 吗', chat: 'g', at: MONDAY + 1 });
    await first.close();
    const second = openLog(dataDir);
    expect((await second.groups()).map((g) => [g.question, g.count])).toEqual([['seata 支持 oracle 吗', 2]]);
    await second.record({ text: 'Seata 能不能用 Oracle', chat: 'g', at: MONDAY + 2 });
    await second.flush();
    const third = openLog(dataDir);
    expect((await third.groups()).map((g) => g.count)).toEqual([3]);
    await Promise.all([second.close(), third.close()]);
  });

  it('writes records together a moment later instead of once each', async () => {
    const dataDir = tempKnowledge({});
    const log = openLog(dataDir);
    await log.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    expect(existsSync(join(dataDir, UNANSWERED_FILE))).toBe(false);
    await log.flush();
    expect(JSON.parse(readFileSync(join(dataDir, UNANSWERED_FILE), 'utf8'))).toMatchObject({ version: 1, groups: [{ variants: [{ text: 'seata 支持 oracle 吗', count: 1 }] }] });
    await log.close();
  });

  it.each([
    ['broken JSON', '{"version": 1, "groups": ['],
    ['the wrong shape', '{"version": 1, "groups": [{"id": 3}]}'],
  ])('moves a file with %s aside, logs it, and starts empty without crashing', async (_, content) => {
    const dataDir = tempKnowledge({ [UNANSWERED_FILE]: content });
    const logLines: string[] = [];
    const log = openLog(dataDir, logLines);
    expect(await log.groups()).toEqual([]);
    await log.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    await log.close();
    const aside = readdirSync(dataDir).filter((name) => name.startsWith(`${UNANSWERED_FILE}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dataDir, aside[0] ?? ''), 'utf8')).toBe(content);
    expect(logLines.join('\n')).toContain('unanswered questions file unreadable');
    expect((await openLog(dataDir).groups()).map((g) => g.count)).toEqual([1]);
  });

  it('groups questions recorded at once whose analyses arrive later, and flushes them all', async () => {
    // As in the server, where analyses come from the answering worker a moment later.
    const slow = createRemoteQuestionAnalyser(async (texts) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return texts.map((text) => analyser.analyse(text));
    });
    const dataDir = tempKnowledge({});
    const log = createFileUnansweredLog({ dataDir, zone: ZONE, analyser: slow, logger: createLogger('silent') });
    void log.record({ text: 'sofa-mosn 支持 http3 吗', chat: 'Community Q&A', at: MONDAY });
    void log.record({ text: 'mosn 能不能用 http/3', chat: 'Community Q&A', at: MONDAY + 1000 });
    void log.record({ text: 'Seata 支持 Oracle 吗', chat: 'Community Q&A', at: MONDAY + 2000 });
    await log.flush();
    const saved = JSON.parse(readFileSync(join(dataDir, UNANSWERED_FILE), 'utf8')) as { groups: { variants: { text: string }[] }[] };
    expect(saved.groups.map((g) => g.variants.map((v) => v.text))).toEqual([['sofa-mosn 支持 http3 吗', 'mosn 能不能用 http/3'], ['Seata 支持 Oracle 吗']]);
    await log.close();
  });

  it('ignores records after close', async () => {
    const dataDir = tempKnowledge({});
    const log = openLog(dataDir);
    await log.close();
    await log.record({ text: 'seata 支持 oracle 吗', chat: 'g', at: MONDAY });
    expect(await log.groups()).toEqual([]);
    expect(existsSync(join(dataDir, UNANSWERED_FILE))).toBe(false);
  });
});
