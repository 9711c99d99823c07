import type { Command } from './parse-command.js';

/**
 * The text the answering engine is asked for a command, or undefined for commands answered
 * without it (help, events, digest). The chat handler and the playground's ranking both use it,
 * so the playground ranks exactly what the bot asks.
 */
export function questionOf(command: Extract<Command, { type: 'latest-release' | 'release' | 'question' }>): string;
export function questionOf(command: Command): string | undefined;
export function questionOf(command: Command): string | undefined {
  switch (command.type) {
    case 'latest-release':
      return `${command.project} 最新版本`;
    case 'release':
      return `${command.project} ${command.version}`;
    case 'question':
      return command.text;
    default:
      return undefined;
  }
}
