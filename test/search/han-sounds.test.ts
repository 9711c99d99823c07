import { describe, expect, it } from 'vitest';
import { hanSounds } from '../../scripts/make-han-sounds.js';
import { HAN_OTHER_SOUNDS, HAN_SOUNDS } from '../../src/search/han-sounds.js';

describe('the table of Chinese characters\' sounds', () => {
  it('is what the installed pinyin-pro reads (after upgrading it: npm run make:han-sounds)', () => {
    const made = hanSounds();
    expect(HAN_SOUNDS).toEqual(made.common);
    expect(HAN_OTHER_SOUNDS).toEqual(made.other);
  });

  it('holds each unified ideograph pinyin-pro reads once, in its common reading: all but about fifty coined for Japanese and Korean', () => {
    const characters = Object.values(HAN_SOUNDS).flatMap((c) => [...c]);
    expect(new Set(characters).size).toBe(characters.length);
    const held = new Set(characters);
    const missing: string[] = [];
    for (let code = 0x4e00; code <= 0x9fa5; code++) if (!held.has(String.fromCodePoint(code))) missing.push(String.fromCodePoint(code));
    expect(missing.length).toBeLessThan(60);
    expect(missing).not.toContain('采');
    for (const character of '采样重试一致配置') expect(characters).toContain(character);
    expect(HAN_SOUNDS.cai).toContain('采');
    expect(HAN_OTHER_SOUNDS.chong).toContain('重');
  });
});
