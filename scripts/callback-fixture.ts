// What the load scripts (bench-http, stress-reload) send the bot: signed DingTalk group
// callbacks, as DingTalk sends them (../shared/docs/dingtalk-protocol.md §2), and the questions.
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

export const BENCH_SECRET = 'bench-http-app-secret-not-a-real-one';
export const BENCH_ROBOT_CODE = 'dingrobotbench';

/** Used when the evaluation set is not checked out next to the project. */
export const BUILT_IN_QUESTIONS = [
  'jraft 支持 multi raft 吗',
  'SOFARPC 5.7.6 更新了什么',
  'seata 回滚失败怎么排查',
  '下次直播什么时候',
  'sofa-boot 最新版本',
  '有没有讲 MOSN 的文章',
  'layotto 怎么部署',
  'vgroup_mapping 配置在哪里',
];

let lastTimestampMs = 0;
/**
 * Now in ms, but never the same twice in a run: the bot accepts a (timestamp, sign) pair for one
 * msgId only, as DingTalk stamps each callback afresh. Runs ahead of the clock by at most the
 * callbacks sent within one millisecond, far inside the signature window.
 */
export function uniqueTimestamp(): number {
  lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
  return lastTimestampMs;
}

export function signCallback(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** A group text message as DingTalk sends it (see docs §2.5), the question after the removed @-mention. */
export function groupMessage(question: string, msgId: string, sessionWebhook: string, nowMs: number): Record<string, unknown> {
  return {
    msgtype: 'text',
    text: { content: ` ${question}` },
    msgId,
    createAt: nowMs,
    conversationType: '2',
    conversationId: 'cidGroupBench==',
    conversationTitle: 'Community Q&A',
    senderNick: 'Li Lei',
    senderStaffId: 'user0042',
    isAdmin: false,
    chatbotUserId: '$:LWCP_v1:$robotBench',
    isInAtList: true,
    sessionWebhook,
    sessionWebhookExpiredTime: nowMs + 5_400_000,
    robotCode: BENCH_ROBOT_CODE,
  };
}

/** The `q` of each line of a JSONL question set; the built-in questions when the file is absent. */
export function readQuestions(file: string): string[] {
  if (!existsSync(file)) return BUILT_IN_QUESTIONS;
  const questions = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { q?: unknown }).q)
    .filter((q): q is string => typeof q === 'string' && q.trim() !== '');
  return questions.length > 0 ? questions : BUILT_IN_QUESTIONS;
}
