import { describe, expect, it } from 'vitest';
import { createDryRunClient } from '../../src/dingtalk/create-dry-run-client.js';
import { RobotClientClosedError } from '../../src/dingtalk/robot-client-closed-error.js';
import type { WebhookTarget } from '../../src/dingtalk/robot-client.js';

const TARGET: WebhookTarget = { group: 'community', accessToken: 'TOKEN_SHOULD_NOT_PRINT', secret: 'SECshouldNotPrint' };

function setup() {
  const printed: string[] = [];
  const client = createDryRunClient({ print: (chunk) => void printed.push(chunk), now: () => 1_700_000_000_000, uuid: () => 'uuid-1' });
  return { printed, client };
}

describe('createDryRunClient', () => {
  it('prints a markdown message with its group, title and text, and resolves with a receipt', async () => {
    const { printed, client } = setup();
    const receipt = await client.send(TARGET, { msgtype: 'markdown', markdown: { title: 'Weekly digest', text: '## Weekly digest\n\n- item' } });
    expect(printed).toEqual(['[dry-run] to group "community":\ntitle: Weekly digest\n## Weekly digest\n\n- item\n']);
    expect(receipt).toEqual({ group: 'community', msgUuid: 'uuid-1', attempts: 0, deliveredAt: 1_700_000_000_000 });
  });

  it('prints a markdown message as it would be sent: sanitised', async () => {
    const { printed, client } = setup();
    await client.send(TARGET, { msgtype: 'markdown', markdown: { title: 'Digest', text: '[x](javascript:alert(1)) <script>alert(1)</script> [ok](https://example.org)' } });
    expect(printed).toEqual(['[dry-run] to group "community":\ntitle: Digest\nx ＜script＞alert(1)＜/script＞ [ok](https://example.org)\n']);
  });

  it('prints a text message and its mentions', async () => {
    const { printed, client } = setup();
    await client.send(TARGET, { msgtype: 'text', text: { content: 'Meetup at 14:00 @user0042' }, at: { atUserIds: ['user0042'], isAtAll: true }, msgUuid: 'mine' });
    expect(printed).toEqual(['[dry-run] to group "community":\n(text message)\nMeetup at 14:00 @user0042\n(mentions: user0042, everyone)\n']);
  });

  it('never prints the credentials', async () => {
    const { printed, client } = setup();
    await client.send(TARGET, { msgtype: 'text', text: { content: 'hi' } });
    expect(printed.join('')).not.toMatch(/TOKEN_SHOULD_NOT_PRINT|SECshouldNotPrint/);
  });

  it('refuses a body over 20,000 bytes like the real client, printing nothing', async () => {
    const { printed, client } = setup();
    await expect(client.send(TARGET, { msgtype: 'text', text: { content: '字'.repeat(6_667) } })).rejects.toThrow(RangeError);
    expect(printed).toEqual([]);
  });

  it('is idle at once and refuses sends after close', async () => {
    const { client } = setup();
    await expect(client.idle()).resolves.toBeUndefined();
    client.close();
    await expect(client.send(TARGET, { msgtype: 'text', text: { content: 'late' } })).rejects.toBeInstanceOf(RobotClientClosedError);
  });
});
