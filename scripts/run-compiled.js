// Runs a compiled entry point of dist/ in this process, compiling first only when a source changed
// since the last build: `npm start` and `npm run cli` then skip the compiler, whose check alone
// (loading TypeScript, reading every file) costs a second. Sources are compared by content, not by
// time, so a file restored with an older time (a copy, a checkout) is still compiled.
//
//   node scripts/run-compiled.js src/main.js [arguments…]   runs dist/src/main.js
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// What the build reads: sources (the playground's files are copied as they are), the compiler's
// settings, and package.json (the build command, the TypeScript version asked for).
const INPUT_FOLDERS = ['src', 'scripts'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
// Written after a build succeeds, with the digest of what it compiled.
const STAMP = join(root, 'dist', '.sources-digest');

function sourcesDigest() {
  const hash = createHash('sha256');
  const files = INPUT_FOLDERS.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(root.length)),
  );
  for (const file of [...files.sort(), ...INPUT_FILES]) hash.update(`${file}\0`).update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

const digest = sourcesDigest();
const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : undefined;
if (stamp !== digest) {
  if (!existsSync(join(root, 'node_modules', 'typescript'))) {
    process.stderr.write('dist/ is missing or older than the sources, and TypeScript is not installed to compile them: run `npm install` (with the dev dependencies) first\n');
    process.exit(2);
  }
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) process.exit(built.status ?? 1);
  writeFileSync(STAMP, digest);
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-compiled.js <entry under dist/, e.g. src/main.js> [arguments…]\n');
  process.exit(2);
}
const script = join(root, 'dist', entry);
// As if started as `node dist/<entry>`: an entry point tells by argv[1] that it was run directly.
process.argv = [process.argv[0] ?? 'node', script, ...args];
await import(pathToFileURL(script).href);
