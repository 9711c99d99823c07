import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, FIXTURE_NOW } from '../helpers/knowledge-fixture.js';
import { startBotServer, type BotServer } from '../helpers/start-bot-server.js';

const TOKEN = 'playground-test-token-0123456789';

let bot: BotServer;

beforeAll(async () => {
  bot = await startBotServer(await loadFixture(), { sessionHosts: [], playgroundToken: TOKEN, now: () => FIXTURE_NOW.getTime() });
});

afterAll(() => bot.close());

/** Signs in with the form; resolves with the `name=value` of the session cookie. */
async function signIn(): Promise<string> {
  const response = await fetch(`${bot.url}/playground/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  return response.headers.get('set-cookie')?.split(';')[0] ?? '';
}

const page = (cookie: string) => fetch(`${bot.url}/playground`, { headers: { cookie }, redirect: 'manual' });
const digest = (cookie: string) => fetch(`${bot.url}/playground/api/digest?week=2024-05-20`, { headers: { cookie } });
const signOut = (cookie: string) => fetch(`${bot.url}/playground/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });

describe('signing out of the playground', () => {
  it('revokes the session: the old cookie, replayed, gets 401 from the page and the API', async () => {
    const cookie = await signIn();
    expect((await page(cookie)).status).toBe(200);
    expect((await digest(cookie)).status).toBe(200);

    const out = await signOut(cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^playground_session=; /);

    const replayedPage = await page(cookie);
    expect(replayedPage.status).toBe(401);
    expect(await replayedPage.text()).toContain('Your session has ended');
    expect((await digest(cookie)).status).toBe(401);
    expect(bot.logLines.some((l) => l.includes('"msg":"playground logout"'))).toBe(true);
  });

  it('lets the admin sign in again afterwards, and a cookie-less sign-out changes nothing', async () => {
    const before = await signIn();
    expect((await signOut('')).status).toBe(303);
    expect((await digest(before)).status).toBe(200);
  });
});
