import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createDryRunClient } from '../../src/dingtalk/create-dry-run-client.js';
import { createKnowledgeAlerts, type KnowledgeAlerts } from '../../src/schedule/create-knowledge-alerts.js';
import type { ScheduledGroup } from '../../src/schedule/create-scheduler.js';

const A = 'knowledge/faq/a.md:2: invalid YAML front matter: bad indentation';
const B = 'knowledge/faq/b.md:5: missing required field "question"';
const C = 'knowledge/events/c.md:3: start: expected an ISO 8601 date-time such as 2024-05-30T19:00';

let printed: string[];
let alerts: KnowledgeAlerts | undefined;

function adminGroup(): ScheduledGroup {
  const client = createDryRunClient({ print: (chunk) => void printed.push(chunk) });
  return { name: 'admins', posts: ['admin'], client, target: { group: 'admins', accessToken: 'dry-run' } };
}

/** Waits for the alerts' timers: the notice is posted from a timer, not within report(). */
const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await alerts?.close();
});

describe('createKnowledgeAlerts', () => {
  it('posts new errors as file:line: message lines, and the same errors not again on the next reload', async () => {
    printed = [];
    alerts = createKnowledgeAlerts({ groups: [adminGroup()], logger: createLogger('silent'), intervalMs: 0 });
    alerts.report([A, B]);
    await settle();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('to group "admins"');
    expect(printed[0]).toContain('知识库有 2 个新错误');
    expect(printed[0]).toContain(`- ${A}`);
    expect(printed[0]).toContain(`- ${B}`);
    alerts.report([A, B]);
    await settle();
    expect(printed).toHaveLength(1);
    // One more error: only it is posted.
    alerts.report([A, B, C]);
    await settle();
    expect(printed).toHaveLength(2);
    expect(printed[1]).toContain('知识库有 1 个新错误');
    expect(printed[1]).toContain(C);
    expect(printed[1]).not.toContain(A);
  });

  it('posts an error again when it comes back after being fixed', async () => {
    printed = [];
    alerts = createKnowledgeAlerts({ groups: [adminGroup()], logger: createLogger('silent'), intervalMs: 0 });
    alerts.report([A]);
    await settle();
    alerts.report([]);
    await settle();
    alerts.report([A]);
    await settle();
    expect(printed).toHaveLength(2);
    expect(printed.every((p) => p.includes(A))).toBe(true);
  });

  it('posts at most once per interval: errors found meanwhile wait and go together, fixed ones are dropped', async () => {
    printed = [];
    let now = 1_000_000;
    alerts = createKnowledgeAlerts({ groups: [adminGroup()], logger: createLogger('silent'), intervalMs: 150, now: () => now });
    alerts.report([A]);
    await settle();
    expect(printed).toHaveLength(1);
    alerts.report([A, B]);
    alerts.report([A, B, C]);
    alerts.report([A, C]); // B was fixed before its turn
    await settle();
    expect(printed).toHaveLength(1);
    now += 150;
    await settle(300);
    expect(printed).toHaveLength(2);
    expect(printed[1]).toContain('知识库有 1 个新错误');
    expect(printed[1]).toContain(C);
    expect(printed[1]).not.toContain(B);
  });

  it('posts nothing without an admin group, and nothing after close', async () => {
    printed = [];
    const none = createKnowledgeAlerts({ groups: [], logger: createLogger('silent'), intervalMs: 0 });
    none.report([A]);
    await none.close();
    alerts = createKnowledgeAlerts({ groups: [adminGroup()], logger: createLogger('silent'), intervalMs: 0 });
    await alerts.close();
    alerts.report([A]);
    await settle();
    expect(printed).toEqual([]);
  });

  it('lists at most 20 errors and counts the rest', async () => {
    printed = [];
    alerts = createKnowledgeAlerts({ groups: [adminGroup()], logger: createLogger('silent'), intervalMs: 0 });
    alerts.report(Array.from({ length: 25 }, (_, i) => `knowledge/faq/f${i}.md:1: empty file`));
    await settle();
    expect(printed[0]).toContain('知识库有 25 个新错误');
    expect(printed[0]).toContain('f19.md');
    expect(printed[0]).not.toContain('f20.md');
    expect(printed[0]).toContain('另有 5 个');
  });
});
