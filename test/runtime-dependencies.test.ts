import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
// import … from 'x', export … from 'x', import('x'), import 'x'; not `import type`, which compiles to nothing.
const IMPORT = /(?:^|\n)\s*(?:import(?!\s+type\s)[^'"]*?from\s*|export[^'"]*?from\s*|import\s*)['"]([^'"./][^'"]*)['"]|import\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g;
const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));

describe("the bot's own code", () => {
  it('imports only packages of its dependencies (a development tool such as pinyin-pro makes data, never runs in the bot)', () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    const outside: string[] = [];
    for (const file of files) {
      const text = readFileSync(join('src', file), 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const specifier = (match[1] ?? match[2]) as string;
        if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        if (!(packageOf(specifier) in manifest.dependencies)) outside.push(`${file}: ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
