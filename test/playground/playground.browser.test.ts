import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { loadFixture, FIXTURE_NOW } from '../helpers/knowledge-fixture.js';
import { startBotServer, type BotServer } from '../helpers/start-bot-server.js';

// The playground as an admin uses it, in Debian's Chromium driven by playwright-core (never a
// downloaded browser build). Without /usr/bin/chromium the test is skipped and says how to get it,
// unless REQUIRE_BROWSER=1 (as in CI), where a missing browser fails.
const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'install it with `apt-get install -y --no-install-recommends chromium`';
const SCREENSHOT = 'test-artifacts/playground.png';
const TOKEN = 'browser-playground-token-0123456789';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which a closed network refuses.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const available = existsSync(CHROMIUM);
const required = process.env.REQUIRE_BROWSER === '1';

describe('the playground in headless Chromium', () => {
  if (!available) {
    if (required) {
      it('needs Chromium (REQUIRE_BROWSER=1)', () => {
        throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: ${INSTALL}`);
      });
    } else {
      console.warn(`playground browser test skipped: ${CHROMIUM} is missing; ${INSTALL} (REQUIRE_BROWSER=1 makes this a failure)`);
      it.skip(`skipped: ${CHROMIUM} is missing; ${INSTALL}`, () => undefined);
    }
    return;
  }

  let bot: BotServer;
  let browser: Browser;

  beforeAll(async () => {
    const fixture = await loadFixture();
    bot = await startBotServer(fixture, { sessionHosts: [], playgroundToken: TOKEN, now: () => FIXTURE_NOW.getTime() });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  it('refuses the page without the token: 401, a sign-in form, no data', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`${bot.url}/playground`);
      expect(response?.status()).toBe(401);
      await expect(page.getByLabel('Token').isVisible()).resolves.toBe(true);
      expect(await page.content()).not.toMatch(/RheaKV|SOFAJRaft|Seata/);
      const apiStatus = await page.evaluate(async () => (await fetch('/playground/api/digest?week=2020-09-01')).status);
      expect(apiStatus).toBe(401);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('signs in with the token, asks, shows the answer and the scores, and the digest of a chosen week', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) problems.push(`CSP: ${message.text()}`);
    });
    try {
      await page.goto(`${bot.url}/playground`);
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();
      expect(page.url()).toBe(`${bot.url}/playground`);
      await expect(page.getByRole('button', { name: 'Sign in' }).count()).resolves.toBe(0);

      // By keyboard: type into the field and press Enter. A command first, then a question.
      const field = page.getByLabel('Question or command');
      await field.fill('最新版本 sofarpc');
      await field.press('Enter');
      await page.locator('#reply-body strong', { hasText: 'SOFARPC v5.7.6' }).waitFor();
      expect(await page.locator('#matches tbody tr').first().locator('td.score').textContent()).toBe('0.950');

      await field.fill('jraft 支持 multi raft 吗');
      await field.press('Enter');
      await page.locator('#reply-body').getByText('支持，RheaKV 就是基于 multi raft group 实现的。').waitFor();
      expect(await page.locator('#ask-summary').textContent()).toMatch(/^Answered · intent: general · [\d.]+ ms$/);
      expect(await page.locator('#reply-body .mention').textContent()).toBe('@playground');
      const top = page.locator('#matches tbody tr').first();
      expect(await top.locator('td').nth(3).textContent()).toBe('SOFAJRaft 支持 Multi-Raft 吗？');
      const score = (await top.locator('td.score').textContent()) ?? '';
      expect(score).toMatch(/^[01]\.\d{3}$/);
      expect(Number(score)).toBeGreaterThanOrEqual(0.6);

      await page.getByLabel('A day in the week').fill('2020-09-01');
      await page.getByRole('button', { name: 'Show digest' }).click();
      await page.locator('#digest-body').getByText('SOFARPC v5.7.6').waitFor();
      expect(await page.locator('#digest-title').textContent()).toBe('SOFA Weekly | 08/31 - 09/06');
      expect(await page.locator('#digest-summary').textContent()).toMatch(/^Week 2020-08-31 to 2020-09-06 · releases: 1 · /);

      expect(problems).toEqual([]);
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);
});
