import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/knowledge-fixture.js';
import { startBotServer, type BotServer } from '../helpers/start-bot-server.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';

const TOKEN = 'scrape-token-for-tests-0123456789';

let bot: BotServer;

beforeAll(async () => {
  bot = await startBotServer(await loadFixture(), { sessionHosts: [], metrics: createMetrics(), metricsToken: TOKEN });
});

afterAll(() => bot.close());

/** GET /metrics from the loopback address `from` (127.0.0.1 unless told), so the bot sees two clients. */
function scrape(authorization: string | undefined, from = '127.0.0.1'): Promise<{ status: number; retryAfter: string | undefined }> {
  const { port } = new URL(bot.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', localAddress: from, headers: authorization === undefined ? {} : { authorization } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /metrics with wrong tokens', () => {
  it('refuses an address with 429 and Retry-After after ten wrong tokens, even with the right one; another address goes on', async () => {
    // A scrape without any token is not a guess: it does not count.
    for (let i = 0; i < 3; i++) expect((await scrape(undefined)).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await scrape(`Bearer wrong-token-number-${i}`)).status).toBe(401);

    const limited = await scrape(`Bearer wrong-token-number-10`);
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('600');
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(429);

    expect((await scrape(`Bearer ${TOKEN}`, '127.0.0.2')).status).toBe(200);
    expect((await scrape('Bearer wrong', '127.0.0.2')).status).toBe(401);

    expect(bot.logLines.some((l) => l.includes('too many wrong tokens') && l.includes('127.0.0.1'))).toBe(true);
    expect(bot.logLines.join('\n')).not.toContain(TOKEN);
  });
});
