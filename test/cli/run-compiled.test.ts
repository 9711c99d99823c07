import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

/**
 * scripts/run-compiled.js in a project of its own, whose "build" copies src/ to dist/ and counts
 * its runs: what is tested is when the launcher builds, not the compiler.
 */
function project(): string {
  const root = tempKnowledge({
    'package.json': JSON.stringify({
      type: 'module',
      scripts: { build: 'mkdir -p dist && cp -R src dist/ && echo x >> builds.log' },
    }),
    'tsconfig.json': '{}',
    'tsconfig.build.json': '{}',
    'src/hello.js': "console.log('hello ' + process.argv.slice(2).join(' '));\n",
  });
  mkdirSync(join(root, 'scripts'));
  copyFileSync('scripts/run-compiled.js', join(root, 'scripts/run-compiled.js'));
  // Stands in for TypeScript being installed.
  mkdirSync(join(root, 'node_modules/typescript'), { recursive: true });
  return root;
}

async function run(root: string): Promise<{ stdout: string; builds: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'scripts/run-compiled.js'), 'src/hello.js', 'a', 'b'], { cwd: root });
  return { stdout, builds: readFileSync(join(root, 'builds.log'), 'utf8').split('\n').filter(Boolean).length };
}

describe('scripts/run-compiled.js (npm start, npm run cli)', () => {
  it('builds on the first run, not again while nothing changed, and again after an edit, whatever its time', async () => {
    const root = project();
    expect(await run(root)).toEqual({ stdout: 'hello a b\n', builds: 1 });
    expect(await run(root)).toEqual({ stdout: 'hello a b\n', builds: 1 });

    writeFileSync(join(root, 'src/hello.js'), "console.log('edited ' + process.argv.slice(2).join(' '));\n");
    // An older time than the build's, as a copy or a checkout can leave: the content decides.
    utimesSync(join(root, 'src/hello.js'), new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(await run(root)).toEqual({ stdout: 'edited a b\n', builds: 2 });

    writeFileSync(join(root, 'src/new.js'), '\n');
    expect((await run(root)).builds).toBe(3);
  }, 30_000);
});
