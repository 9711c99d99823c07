import type { AnswerResult } from '../search/answer-types.js';
import type { Entry } from '../knowledge/entry.js';

const label = (entry: Entry) => (entry.kind === 'event' ? `${entry.title}（${entry.start.slice(0, 16).replace('T', ' ')}）` : entry.title);
const linked = (entry: Entry) => (entry.url ? `[${label(entry)}](${entry.url})` : label(entry));

/** The reply as group members see it, in DingTalk's Markdown subset. */
export function composeReply(result: AnswerResult): string {
  const [top, ...rest] = result.matches;
  if (result.outcome === 'answer' && top) {
    const lines = [`**${label(top.entry)}**`, '', top.entry.body || '（详情见链接）'];
    const sources = top.entry.links.length > 0 ? top.entry.links : top.entry.url ? [{ title: top.entry.title, url: top.entry.url }] : [];
    if (sources.length > 0) lines.push('', `来源：${sources.map((l) => `[${l.title}](${l.url})`).join(' · ')}`);
    if (rest.length > 0) lines.push('', '相关问题：', ...rest.map((m) => `- ${linked(m.entry)}`));
    return lines.join('\n');
  }
  if (result.outcome === 'suggest' && top) {
    return ['我不太确定，你想问的是不是：', ...result.matches.map((m, i) => `${i + 1}. ${linked(m.entry)}`)].join('\n');
  }
  if (result.intent === 'event') return '近期没有已公布的直播或活动。';
  return '抱歉，我在社区的问答和发布记录里没有找到答案。可以换个说法再问，或者到对应项目的 GitHub issues 提问。';
}
