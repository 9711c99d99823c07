import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Tables that take megabytes each and that only the answering worker uses.
const WORKER_ONLY = ['@node-rs/jieba', 'opencc-js', 'fuse.js'];

describe("the server's thread", () => {
  it('loads none of the segmenter, conversion and pinyin tables: the answering worker holds them', async () => {
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/print-imports.ts', '--input-type=module', '-e', "await import('./src/app.ts');"]);
    const imported = stderr.split('\n').filter((line) => line.startsWith('import '));
    expect(imported.some((line) => line.includes('/src/app.ts'))).toBe(true);
    for (const name of WORKER_ONLY) expect(imported.filter((line) => line.includes(`/node_modules/${name}/`))).toEqual([]);
    expect(imported.filter((line) => line.includes('/src/search/han-sounds.'))).toEqual([]);
  });
});
