import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

function configDir(glossary: string): string {
  const dir = temp('qa-bot-config-');
  copyFileSync('config/default.yaml', join(dir, 'default.yaml'));
  writeFileSync(join(dir, 'synonyms.yaml'), 'groups:\n  - [超时, timeout]\n');
  writeFileSync(join(dir, 'glossary.yaml'), glossary);
  return dir;
}

const cacheFiles = (dataDir: string) => readdirSync(join(dataDir, 'cache')).filter((n) => n.startsWith('settings-'));

describe('the vocabulary files\' parse kept in DATA_DIR/cache', () => {
  it('is read back while a file is unchanged, and never once it is edited', () => {
    const dir = configDir('groups:\n  - [快照, snapshot]\n');
    const dataDir = temp('qa-bot-data-');
    const env = { CONFIG_DIR: dir, DATA_DIR: dataDir };
    expect(loadConfig(env).vocabulary.glossary).toEqual([['快照', 'snapshot']]);
    // One per vocabulary file; default.yaml and local.yaml are never copied (a secret may be in them).
    expect(cacheFiles(dataDir)).toHaveLength(2);

    // Unchanged: what the cache holds is served (tampered with here, to show it).
    for (const name of cacheFiles(dataDir)) {
      const file = join(dataDir, 'cache', name);
      writeFileSync(file, readFileSync(file, 'utf8').replace('snapshot', 'from-the-cache'));
    }
    expect(loadConfig(env).vocabulary.glossary).toEqual([['快照', 'from-the-cache']]);

    // Edited: parsed again, whatever the cache holds.
    writeFileSync(join(dir, 'glossary.yaml'), 'groups:\n  - [快照, snapshots]\n');
    expect(loadConfig(env).vocabulary.glossary).toEqual([['快照', 'snapshots']]);
  });

  it('never hides a broken file: its error is reported with file and line, cache or not', () => {
    const dir = configDir('groups:\n  - [快照, snapshot]\n');
    const dataDir = temp('qa-bot-data-');
    const env = { CONFIG_DIR: dir, DATA_DIR: dataDir };
    loadConfig(env);
    writeFileSync(join(dir, 'glossary.yaml'), 'groups:\n  - [快照, snapshot\n');
    for (let run = 0; run < 2; run++) {
      try {
        loadConfig(env);
        expect.unreachable('a broken glossary must be refused');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).problems.join('\n')).toMatch(/glossary\.yaml:\d+: /);
      }
    }
  });

  it('costs only the parse when DATA_DIR cannot be written', () => {
    // A file where the folder should be: not writable even by root, unlike a chmod.
    const dataDir = join(temp('qa-bot-data-'), 'a-file');
    writeFileSync(dataDir, '');
    const env = { CONFIG_DIR: configDir('groups:\n  - [快照, snapshot]\n'), DATA_DIR: dataDir };
    expect(loadConfig(env).vocabulary.glossary).toEqual([['快照', 'snapshot']]);
    expect(loadConfig(env).vocabulary.glossary).toEqual([['快照', 'snapshot']]);
    expect(readFileSync(dataDir, 'utf8')).toBe('');
  });
});
