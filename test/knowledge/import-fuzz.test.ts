// Fuzz: knowledge files whose text is a long run of one punctuation class, in every place the
// importers read (Q&A, reading list, releases, events, headings, curated answers). A regex that
// rescans a run from each of its characters turns 20,000 of them into seconds on the thread that
// serves callbacks; each file must load well within a second.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../../src/knowledge/load-knowledge.js';

const CLASSES = [...'.,!?。，！？：*_#[]()<>`~|-', ' ', '\n', '**', '](', '![](', '[a', '- ', '%E4%B8%AD', '中', '1.'];
const LENGTH = 20_000;

const FILES: Record<string, (run: string) => string> = {
  weekly: (run) =>
    `---\ntitle: "SOFA Weekly | x"\ndate: 2021-01-01\ncategories: "SOFA Weekly"\n---\n# a${run}x\n\n## 社区 Q&A\n\n**1. 问：** ${run}\n\n答：${run}\n\n` +
    `### 本周推荐阅读\n\n- [${run}](https://x.io/${run})\n\n### 本周发布\n\nSOFARPC 5.7.6 ${run}\n\n### 活动\n\n直播时间：2021 年 1 月 5 日 ${run}\n`,
  activity: (run) => `---\ntitle: "x"\ndate: 2021-01-01\n---\n活动时间：2021 年 1 月 5 日 ${run}\n\n活动地点：${run}\n\n报名：[${run}](https://x.io)\n`,
  faq: (run) => `---\nkind: faq\nquestion: 问题\n---\n${run}\n\n[${run}](https://x.io/${run})\n`,
};

describe('importers on hostile knowledge text', () => {
  it('load a file of long runs of each punctuation class within a second', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-fuzz-'));
    const slow: string[] = [];
    for (const unit of CLASSES) {
      const run = unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
      for (const [kind, write] of Object.entries(FILES)) {
        for (const text of [run, `a${run}b`]) {
          writeFileSync(join(dir, 'file.md'), write(text));
          // Loose: linear work here takes tens of milliseconds. The fastest of up to three loads, so
          // a pause of the machine (other test files run beside this one) is not taken for a rescan,
          // which is slow every time.
          let ms = Infinity;
          for (let attempt = 0; attempt < 3 && ms > 1000; attempt++) {
            const started = performance.now();
            const result = await loadFile(join(dir, 'file.md'), 'file.md', { dirs: [dir], zone: 'Asia/Shanghai', maxFileBytes: 1 << 22 });
            ms = Math.min(ms, performance.now() - started);
            expect(result.file).toBe(join(dir, 'file.md'));
          }
          if (ms > 1000) slow.push(`${kind} ${JSON.stringify(unit)}: ${Math.round(ms)} ms`);
        }
      }
    }
    expect(slow).toEqual([]);
  });
});
