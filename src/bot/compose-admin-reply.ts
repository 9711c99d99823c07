import { plainMarkdownText } from '../shared/plain-markdown-text.js';
import type { EntryKind } from '../knowledge/entry.js';
import type { KnowledgeSummary } from '../knowledge/summarize-knowledge.js';
import type { AdminReport, SubscriptionRequest } from './admin-report.js';
import { POST_KINDS, type PostKind } from '../config/config-schema.js';
import { composeTextReply, type BotReply, type ReplyContext } from './compose-reply.js';

const KIND_LABELS: Readonly<Record<EntryKind, string>> = { faq: '问答', release: '发布', event: '活动', reading: '阅读' };
const POST_LABELS: Readonly<Record<string, string>> = { digest: '周报', reminder: '活动提醒', unanswered: '未答问题' };
const OUTCOME_LABELS: Readonly<Record<string, string>> = { sent: '已发送', missed: '错过（机器人当时未运行）', cancelled: '已取消', failed: '失败', unconfirmed: '未确认（可能已发出）' };
/** Errors shown in a reply; the rest are counted. */
const ERRORS_SHOWN = 5;
const ACTION_LABELS = { reload: '重新加载', status: '状态', unanswered: '待回答', subscriptions: '订阅' } as const;
const KIND_LABELS_CN: Readonly<Record<PostKind, string>> = { digest: '周报', reminders: '活动提醒', admin: '管理通知' };
const kindList = (kinds: readonly PostKind[]) => kinds.map((kind) => KIND_LABELS_CN[kind]).join('、');

/** Words an admin command's report as a chat reply. */
export function composeAdminReply(report: AdminReport, context: ReplyContext): BotReply {
  switch (report.action) {
    case 'reload': {
      const seconds = (report.ms / 1000).toFixed(1);
      return composeTextReply('知识库已重新加载', [`**知识库已重新加载**（${seconds} 秒）`, '', knowledgeLine(report.knowledge), '', ...errorLines(report.knowledge)].join('\n'), context);
    }
    case 'status': {
      const lines = ['**机器人状态**', ''];
      if (report.knowledge) lines.push(knowledgeLine(report.knowledge), '', ...errorLines(report.knowledge));
      else lines.push('知识库：正在加载');
      lines.push('');
      if ('error' in report.posts) {
        lines.push(`推送记录：无法读取（${plainMarkdownText(report.posts.error)}）`);
      } else {
        const { recent, outbox } = report.posts;
        lines.push(recent.length > 0 ? '最近的推送：' : '最近的推送：无');
        for (const post of recent) {
          lines.push(`- ${post.when} ${POST_LABELS[post.kind] ?? plainMarkdownText(post.kind)} → ${plainMarkdownText(post.group)}：${OUTCOME_LABELS[post.outcome] ?? plainMarkdownText(post.outcome)}`);
        }
        lines.push('', `待发送的推送：${outbox} 条`);
      }
      lines.push('', `未答问题：${report.unanswered} 组${report.unanswered > 0 ? '（发送“待回答”查看）' : ''}`);
      if (report.subscriptions) lines.push('', ...subscribedLines(report.subscriptions));
      return composeTextReply('机器人状态', lines.join('\n'), context);
    }
    case 'unanswered': {
      if (report.groups.length === 0) return composeTextReply('未答问题', '目前没有记录到没答上的问题。', context);
      const lines = [`**没答上的问题**（前 ${report.groups.length} 组，共 ${report.total} 组；相近的问法算作一组）`, ''];
      report.groups.forEach((group, i) => {
        const variants = group.variants > 0 ? `，另有 ${group.variants} 种问法` : '';
        lines.push(`${i + 1}. ${plainMarkdownText(group.question)}（${group.count} 次${variants}，最近 ${group.lastSeen}）`);
      });
      lines.push('', '生成 FAQ 草稿：`npm run --silent cli -- unanswered --draft <目录>`，写好答案后放进知识库。');
      return composeTextReply('未答问题', lines.join('\n'), context);
    }
    case 'subscriptions':
      return composeTextReply('本群订阅', subscriptionText(report.request, report.posts), context);
    case 'no-app-robot':
      return composeTextReply('订阅', '订阅的推送由应用机器人发出，但它还没有配置：请运维设置 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET。本群的订阅没有改变。', context);
    case 'failed':
      return composeTextReply(`${ACTION_LABELS[report.failed]}失败`, `**${ACTION_LABELS[report.failed]}失败**：${plainMarkdownText(report.reason)}`, context);
  }
}

function knowledgeLine(knowledge: KnowledgeSummary): string {
  const kinds = (Object.keys(KIND_LABELS) as EntryKind[]).map((kind) => `${KIND_LABELS[kind]} ${knowledge.entries[kind]}`).join(' · ');
  return `知识库：${knowledge.files} 个文件，${kinds}`;
}

function errorLines(knowledge: KnowledgeSummary): string[] {
  const { errors } = knowledge;
  if (errors.length === 0) return ['知识错误：无'];
  const more = errors.length > ERRORS_SHOWN ? [`- ……另有 ${errors.length - ERRORS_SHOWN} 个（运行 validate 查看全部）`] : [];
  return [`知识错误 ${errors.length} 个（出错的文件继续使用上一个正确的版本）：`, ...errors.slice(0, ERRORS_SHOWN).map((e) => `- ${plainMarkdownText(e)}`), ...more];
}

function subscribedLines(subscriptions: NonNullable<Extract<AdminReport, { action: 'status' }>['subscriptions']>): string[] {
  if ('error' in subscriptions) return [`订阅推送的群：无法读取（${plainMarkdownText(subscriptions.error)}）`];
  if (subscriptions.length === 0) return ['订阅推送的群：无（管理员在群里 @我 发送“订阅 周报”即可订阅）'];
  return ['订阅推送的群：', ...subscriptions.map((group) => `- ${plainMarkdownText(group.title || '（未命名的群）')}：${kindList(group.posts)}`)];
}

/** The reply to `订阅 …`, `退订 …` or `订阅`: what changed, then what the group receives now. */
function subscriptionText(request: SubscriptionRequest, posts: Partial<Record<PostKind, string>>): string {
  const now = POST_KINDS.filter((kind) => posts[kind] !== undefined);
  const receives =
    now.length > 0 ? `本群现在收到：${now.map((kind) => `${KIND_LABELS_CN[kind]}（${posts[kind] ?? ''} 起）`).join('、')}。` : '本群现在没有订阅任何推送。';
  const hint = now.length > 0 ? '退订发送“退订 周报”（或 提醒、管理）。' : '订阅发送“订阅 周报”“订阅 提醒”或“订阅 管理”。';
  const head =
    request.change === 'subscribe'
      ? `**已订阅**：${kindList(request.kinds)}。之后到期的推送会由我发到本群，之前已到期的不会补发。`
      : request.change === 'unsubscribe'
        ? `**已退订**：${kindList(request.kinds)}。`
        : '**本群订阅**';
  return [head, '', receives, '', hint].join('\n');
}
