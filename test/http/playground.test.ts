import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, FIXTURE_NOW, type Fixture } from '../helpers/knowledge-fixture.js';
import { startBotServer, type BotServer } from '../helpers/start-bot-server.js';
import { handleMessage } from '../../src/bot/handle-message.js';
import { DINGTALK_MAX_BODY_BYTES } from '../../src/dingtalk/limits.js';

const TOKEN = 'playground-test-token-0123456789';

let fixture: Fixture;
let bot: BotServer;
let off: BotServer;

beforeAll(async () => {
  fixture = await loadFixture();
  bot = await startBotServer(fixture, { sessionHosts: [], playgroundToken: TOKEN, now: () => FIXTURE_NOW.getTime() });
  off = await startBotServer(fixture, { sessionHosts: [] });
});

afterAll(async () => {
  await bot.close();
  await off.close();
});

const get = (path: string, headers: Record<string, string> = {}, server = bot) => fetch(`${server.url}/playground${path}`, { headers, redirect: 'manual' });
const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const ask = (question: string, headers: Record<string, string> = bearer()) =>
  fetch(`${bot.url}/playground/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ question }) });
const login = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${bot.url}/playground/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });

interface AskResponse {
  handledAs: string;
  reply: { title: string; markdown: string; html: string; atUserIds: string[] };
  ranking: { asked: string; intent: string; matches: { id: string; kind: string; title: string; score: number; features?: Record<string, number>; source: string }[] } | null;
  thresholds: { answer: number; suggest: number };
  knowledge: { entries: number; errors: string[] };
}

describe('the playground refuses without the token', () => {
  it('answers the page with 401 and a sign-in form that holds no knowledge', async () => {
    const response = await get('');
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/playground/login">');
    expect(html).toContain('name="token"');
    expect(html).not.toMatch(/RheaKV|SOFAJRaft|Seata/);
  });

  it('sends a strict Content-Security-Policy and the other security headers', async () => {
    for (const response of [await get(''), await get('/api/ask'), await get('/app.js')]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it.each([
    ['no credential', {}],
    ['a wrong Bearer token', bearer('playground-test-token-0123456780')],
    ['the token cut short', bearer(TOKEN.slice(0, -1))],
    ['another scheme', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
    ['a forged session cookie', { cookie: `playground_session=${FIXTURE_NOW.getTime() + 60_000}.${'A'.repeat(43)}` }],
  ])('refuses the API with %s: 401, no data', async (_, headers) => {
    for (const response of [await ask('jraft 支持 multi raft 吗', headers), await get('/api/digest?week=2020-09-01', headers)]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="playground"');
      expect(await response.json()).toEqual({ error: 'the playground token is needed' });
    }
  });

  it('refuses a wrong token at the sign-in form, without setting a cookie', async () => {
    const response = await login('not-the-playground-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('That is not the playground token.');
  });
});

describe('the playground with the token', () => {
  it('asks with a Bearer token: the reply, its rendering, the outcome and the ranked matches', async () => {
    const response = await ask('jraft 支持 multi raft 吗');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const data = (await response.json()) as AskResponse;
    expect(data.handledAs).toBe('answer');
    expect(data.reply.title).toBe('SOFAJRaft 支持 Multi-Raft 吗？');
    expect(data.reply.markdown).toContain('支持，RheaKV 就是基于 multi raft group 实现的。');
    expect(data.reply.markdown.endsWith('\n\n@playground')).toBe(true);
    expect(data.reply.atUserIds).toEqual(['playground']);
    expect(data.reply.html).toContain('<strong>SOFAJRaft 支持 Multi-Raft 吗？</strong>');
    expect(data.reply.html).toContain('<a href="https://example.org/rheakv" target="_blank" rel="noopener noreferrer">RheaKV 文档</a>');
    expect(data.reply.html).toContain('<p class="mention">@playground</p>');
    expect(data.ranking?.intent).toBe('general');
    const [top] = data.ranking?.matches ?? [];
    expect(top).toMatchObject({ id: 'faq/multi-raft', kind: 'faq', title: 'SOFAJRaft 支持 Multi-Raft 吗？', source: expect.stringMatching(/faq\/multi-raft\.md:1$/) as unknown });
    expect(top?.score).toBeGreaterThanOrEqual(data.thresholds.answer);
    expect(top?.features).toMatchObject({ projectMatch: true, specificCoverage: expect.any(Number) as unknown });
    expect(top?.features?.blocked).toBeUndefined();
    expect(data.thresholds).toEqual({ answer: fixture.config.search.answerThreshold, suggest: fixture.config.search.suggestThreshold });
    expect(data.knowledge).toEqual({ entries: fixture.entries.length, errors: [] });
  });

  it('shows exactly the reply the bot sends a group member', async () => {
    for (const question of ['jraft 支持 multi raft 吗', 'seata 锁', '怎么做饭', '最新版本 sofarpc', 'SOFARPC 5.7.6', '活动', '周报', '帮助']) {
      const data = (await (await ask(question)).json()) as AskResponse;
      const expected = await handleMessage(
        { text: question, msgtype: 'text', isGroup: true, senderStaffId: 'playground', isAdmin: false },
        { answerer: fixture.answerer, entries: fixture.entries, now: FIXTURE_NOW, maxReplyBytes: DINGTALK_MAX_BODY_BYTES, digest: { zone: fixture.config.timezone, eventsAheadDays: fixture.config.digest.eventsAheadDays }, admins: [] },
      );
      expect(data.handledAs, question).toBe(expected.handledAs);
      expect(data.reply.markdown, question).toBe(expected.reply.markdown);
    }
  });

  it('ranks what a command asks the engine, and nothing for commands answered without it', async () => {
    const latest = (await (await ask('最新版本 sofarpc')).json()) as AskResponse;
    expect(latest.reply.markdown).toMatch(/^\*\*SOFARPC v5\.7\.6\*\*/);
    expect(latest.ranking).toMatchObject({ asked: 'sofarpc 最新版本', intent: 'latest-release', matches: [{ id: 'releases/rpc-5.7.6', score: 0.95 }, { id: 'releases/rpc-5.7.5' }] });
    const events = (await (await ask('活动')).json()) as AskResponse;
    expect(events.handledAs).toBe('events');
    expect(events.reply.markdown).toContain('SOFAChannel#40 直播');
    expect(events.ranking).toBeNull();
  });

  it('never carries out an admin command: `周报 发送` shows the refusal and sends nothing', async () => {
    const data = (await (await ask('周报 发送')).json()) as AskResponse;
    expect(data.handledAs).toBe('refused');
    await bot.http.idle();
    expect(bot.outbound).toEqual([]);
  });

  it('composes the digest of a chosen week', async () => {
    const response = await get('/api/digest?week=2020-09-01', bearer());
    expect(response.status).toBe(200);
    const data = (await response.json()) as { week: unknown; title: string; markdown: string; html: string; counts: unknown; eventsFrom: string };
    expect(data.week).toEqual({ start: '2020-08-31', end: '2020-09-06' });
    expect(data.title).toBe('SOFA Weekly | 08/31 - 09/06');
    expect(data.markdown).toContain('**SOFARPC v5.7.6**');
    expect(data.html).toContain('<h4>本周发布</h4>');
    expect(data.html).toContain('<strong>SOFARPC v5.7.6</strong>');
    expect(data.counts).toEqual({ releases: 1, faqs: 0, readings: 0, events: 0 });
    expect(data.eventsFrom).toBe('2020-08-31T00:00:00+08:00');
  });

  it('counts events from now in the current week, and from Monday in another week', async () => {
    const current = (await (await get('/api/digest?week=2024-05-22', bearer())).json()) as { eventsFrom: string; markdown: string };
    expect(current.eventsFrom).toBe('2024-05-20T12:00:00+08:00');
    expect(current.markdown).toContain('SOFAChannel#40 直播');
    const past = (await (await get('/api/digest?week=2024-04-29', bearer())).json()) as { eventsFrom: string; markdown: string };
    expect(past.eventsFrom).toBe('2024-04-29T00:00:00+08:00');
    expect(past.markdown).toContain('SOFAChannel#8 直播');
  });

  it.each([['', 400], ['2024-13-01', 400], ['20240501', 400], ['2024-05-01&week=2024-05-02', 400]])('answers a digest for week "%s" with %i', async (week, status) => {
    const response = await get(`/api/digest?week=${week}`, bearer());
    expect(response.status).toBe(status);
  });

  it.each([
    ['an empty question', JSON.stringify({ question: '  ' }), 400],
    ['no question', JSON.stringify({}), 400],
    ['malformed JSON', '{"question": ', 400],
    ['a body above 16 KB', JSON.stringify({ question: 'x'.repeat(17 * 1024) }), 413],
  ])('answers %s with %i', async (_, body, status) => {
    const response = await fetch(`${bot.url}/playground/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer() }, body });
    expect(response.status).toBe(status);
  });
});

describe('signing in', () => {
  // A session of its own for the tests that use one, whatever order they run in.
  let cookie = '';
  beforeAll(async () => {
    cookie = (await login(TOKEN)).headers.get('set-cookie')?.split(';')[0] ?? '';
  });

  it('sets an HttpOnly, SameSite=Strict session cookie for /playground that does not hold the token, and redirects', async () => {
    const response = await login(TOKEN);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/playground');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^playground_session=\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('Path=/playground');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain('Secure');
    expect(setCookie).not.toContain(TOKEN);
  });

  it('serves the page and the API to the session', async () => {
    const page = await get('', { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/playground/app.js"></script>');
    expect(html).not.toMatch(/<script>|<script type="module">/);
    expect(html).toContain('role="status"');
    expect(html).toContain('aria-live="polite"');
    const answer = (await (await ask('seata 全局锁是行级还是表级', { cookie })).json()) as AskResponse;
    expect(answer.reply.markdown).toContain('全局锁是行级的');
  });

  it('serves the script and the style as files', async () => {
    const script = await get('/app.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("call('/playground/api/ask'");
    expect((await get('/app.css')).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const response = await login(TOKEN, { 'x-forwarded-proto': 'https' });
    expect(response.headers.get('set-cookie')).toContain('Secure');
  });

  it('signs out by clearing the cookie', async () => {
    // A session of this test's own: signing out must not end the one the other tests use.
    const own = (await login(TOKEN)).headers.get('set-cookie')?.split(';')[0] ?? '';
    const response = await fetch(`${bot.url}/playground/logout`, { method: 'POST', headers: { cookie: own }, redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(/^playground_session=; Path=\/playground; Expires=Thu, 01 Jan 1970/);
  });

  it('never logs the token; logs refusals with a reason, and sign-ins', async () => {
    // A refusal and a sign-in of its own, whatever ran before.
    expect((await login('a-wrong-token-for-the-log')).status).toBe(401);
    expect((await login(TOKEN)).status).toBe(303);
    const logs = bot.logLines.join('\n');
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(TOKEN.slice(0, -1));
    expect(bot.logLines.some((l) => l.includes('"msg":"playground refused"') && l.includes('"reason":"wrong-token"'))).toBe(true);
    expect(bot.logLines.some((l) => l.includes('"msg":"playground login"'))).toBe(true);
  });
});

describe('too many wrong tokens', () => {
  it('refuses an address with 429 after ten wrong tokens, even with the right one; a session goes on', async () => {
    const limited = await startBotServer(fixture, { sessionHosts: [], playgroundToken: TOKEN, now: () => FIXTURE_NOW.getTime() });
    try {
      const signIn = await fetch(`${limited.url}/playground/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}`, redirect: 'manual' });
      const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';
      for (let i = 0; i < 10; i++) {
        const response = await fetch(`${limited.url}/playground/api/digest?week=2020-09-01`, { headers: bearer(`wrong-token-number-${i}`) });
        expect(response.status).toBe(401);
      }
      const refused = await fetch(`${limited.url}/playground/api/digest?week=2020-09-01`, { headers: bearer() });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('600');
      const form = await fetch(`${limited.url}/playground/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}`, redirect: 'manual' });
      expect(form.status).toBe(429);
      expect(form.headers.get('set-cookie')).toBeNull();
      expect((await fetch(`${limited.url}/playground/api/digest?week=2020-09-01`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${limited.url}/playground`, { headers: { cookie } })).status).toBe(200);
      expect(limited.logLines.some((l) => l.includes('too many wrong tokens'))).toBe(true);
      expect(limited.logLines.join('\n')).not.toContain(TOKEN);
    } finally {
      await limited.close();
    }
  });
});

describe('the playground switched off', () => {
  it.each(['', '/app.js', '/api/ask', '/api/digest?week=2020-09-01'])('does not exist: /playground%s is 404', async (path) => {
    expect((await get(path, bearer(), off)).status).toBe(404);
  });
});
