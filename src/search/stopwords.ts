import { eng } from 'stopword';

/** How a question is asked for: 请问, 请教, 麻烦问下… */
export const REQUEST_WORDS: readonly string[] = '请问 请教 问下 问一下 想问 想问下 打扰 打扰一下 求问 求助 求教 麻烦 麻烦问下 咨询 请 问'.split(' ');
/** Greetings, thanks and forms of address around a question. */
export const COURTESY_WORDS: readonly string[] = '谢谢 感谢 多谢 谢 辛苦 各位 大佬 大佬们 老师 老师们 群友 群友们 大神 小白 小助手 助手 机器人 同学 朋友 你好 您好 大家好 各位好 hi hello hey thanks'.split(' ');

// Words that say how something is asked, not what: chat filler, greetings, question particles.
// Dropping them keeps "大佬们请教一下…谢谢" from matching answers that happen to say 一下.
// English function words come from the stopword package's list; ours adds the ones questions use.
export const STOPWORDS: ReadonlySet<string> = new Set([
  ...eng,
  ...REQUEST_WORDS,
  ...COURTESY_WORDS,
  ...`
  们 的 了 吗 呢 吧 啊 呀 哦 嘛 么 哈 嗯 额 呃 啦 咯 喔 哇 哎 唉 诶 欸 噢
  是 在 有 和 与 跟 及 或 也 都 就 还 又 再 很 太 更 最 挺 蛮 比较
  我 你 他 她 它 我们 你们 他们 咱们 大家 自己 这 那 这个 那个 这些 那些 这样 那样 这种 那种 这边 那边 这里 那里 哪 哪个 哪些 哪里
  一下 一个 一些 一点 一种 一般 下 个 些 点
  意思 啥意思 什么意思 有人 在吗 有人在吗
  怎么 怎样 怎么样 如何 什么 啥 咋 咋整 为什么 为啥 为何 是否 是不是 能不能 可不可以 可以 能 会 会不会 要 要不要 需要 需不需要 有没有 有没 没有 没 不 吗 么
  然后 但是 但 而且 所以 因为 如果 要是 的话 还是 或者 就是 只是 其实 现在 目前 之前 之后 以后 时候 当 时
  用 使用 做 弄 搞 看 看看 说 知道 了解 明白 简单 觉得 感觉 应该 一直 已经 直接 具体 到底 主要 一样 那种 这块 方面 问题 情况
  a an the is are was were be been do does did to of in on at for with by from and or not no it its this that these those what which who how why when where can could should would will i you we they my your our me us please thank
  any anyone there does doesn't don't isn't currently now also just so whether
  `
    .split(/\s+/)
    .filter(Boolean),
]);
