import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockPackage {
  version?: string;
  integrity?: string;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockPackage> };

// `npm install` on one machine can drop the other platforms' optional native packages from the
// lock (npm/cli#4828); `npm ci` on a Mac or linux-arm64 then installs no binary and the bot
// cannot start. Every platform a native package offers must be locked.
describe('package-lock.json', () => {
  const natives = Object.entries(lock.packages).filter(([path, pkg]) => path.startsWith('node_modules/') && Object.keys(pkg.optionalDependencies ?? {}).some((name) => lock.packages[`node_modules/${name}`]?.os !== undefined || /-(darwin|linux|win32)-/.test(name)));

  it('finds the native packages it guards (the segmenter at least)', () => {
    expect(natives.map(([path]) => path)).toContain('node_modules/@node-rs/jieba');
  });

  it.each(natives.map(([path, pkg]) => [path, pkg] as const))('%s: every platform package is locked, with its version and integrity', (_path, pkg) => {
    for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked, name).toBeDefined();
      // A range for some (fsevents' `~2.3.3`), an exact version for the napi-rs packages.
      expect(locked?.version?.startsWith(version.replace(/^[~^]/, '')), `${name}@${version}`).toBe(true);
      expect(locked?.integrity, name).toMatch(/^sha512-/);
    }
  });

  it('locks the segmenter for macOS on Apple silicon, Windows x64 and linux-arm64', () => {
    for (const name of ['@node-rs/jieba-darwin-arm64', '@node-rs/jieba-win32-x64-msvc', '@node-rs/jieba-linux-arm64-gnu']) {
      expect(lock.packages[`node_modules/${name}`]?.integrity, name).toMatch(/^sha512-/);
    }
  });
});
