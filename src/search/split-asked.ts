// A sentence and the marks that end it; an unfinished last sentence counts too.
const SENTENCE = /[^。！？!?；;\n]+[。！？!?；;\n]*/gu;
const ENDS_ASKING = /[？?]\s*$/u;

/**
 * An archived question as what it says first and what it asks: the sentences before the first one
 * that ends in a question mark are context ("常见的就是……设置为 false（有死锁风险）。 请问是参数开启
 * 会出现死锁风险……呢？"). A question without such a sentence, or that starts with it, is all asked.
 */
export function splitAsked(question: string): { context: string; asked: string } {
  const sentences = question.match(SENTENCE) ?? [];
  const first = sentences.findIndex((s) => ENDS_ASKING.test(s));
  if (first <= 0) return { context: '', asked: question };
  return { context: sentences.slice(0, first).join(''), asked: sentences.slice(first).join('') };
}
