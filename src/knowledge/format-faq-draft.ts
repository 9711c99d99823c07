import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import type { UnansweredGroup } from '../state/unanswered-log.js';

/**
 * A FAQ file for admins to complete from a group of unanswered questions: the most asked phrasing
 * as the question, the others as aliases, and no answer. `validate` refuses it ("the answer …
 * is empty") until the answer is written, so a draft can never be served half done. The
 * instructions are YAML comments in the front matter, not body text, for the same reason.
 * The name is ASCII (the question's Latin words and the group's id): the same group always gets
 * the same name, so drafting twice finds the first file instead of making another.
 */
export function formatFaqDraft(group: UnansweredGroup, zone: string): { name: string; text: string } {
  const aliases = [...new Set(group.variants.map((v) => v.text).filter((t) => t !== group.question))];
  const frontMatter = stringify(
    { kind: 'faq', question: group.question, ...(aliases.length > 0 ? { aliases } : {}), tags: ['draft'] },
    { lineWidth: 0 },
  );
  const day = (iso: string) => DateTime.fromISO(iso, { zone }).toISODate() ?? iso.slice(0, 10);
  const chats = group.chats.map((c) => c.chat).join('、');
  const text = [
    '---',
    frontMatter.trimEnd(),
    '# 待补充：在下面第二个 --- 之后写下答案（必填），再删掉这几行注释和 draft 标签。',
    '# To do: write the answer below the closing --- (required), then delete these comment lines and the draft tag.',
    `# 被问了 ${group.count} 次（${day(group.firstSeen)} 至 ${day(group.lastSeen)}）${chats ? `，在：${chats}` : ''}`.replace(/\s+/g, ' '),
    '---',
    '',
  ].join('\n');
  const words = (group.question.toLowerCase().match(/[a-z0-9]+/g) ?? []).join('-').slice(0, 40).replace(/-+$/, '');
  return { name: `${words || 'question'}-${group.id.slice(0, 8)}.md`, text };
}
