import { ENTRY_KINDS, formatProblem, type EntryKind } from './entry.js';
import type { KnowledgeLoad } from './load-knowledge.js';

/** What /readyz and the admins' `状态` show of the knowledge. */
export interface KnowledgeSummary {
  files: number;
  entries: Record<EntryKind, number>;
  /** The current errors as `file:line: message`. */
  errors: string[];
}

export function summarizeKnowledge(knowledge: KnowledgeLoad): KnowledgeSummary {
  const entries = Object.fromEntries(ENTRY_KINDS.map((k) => [k, 0])) as Record<EntryKind, number>;
  for (const entry of knowledge.entries) entries[entry.kind]++;
  return {
    files: knowledge.files.length,
    entries,
    errors: knowledge.problems.filter((p) => p.severity === 'error').map(formatProblem),
  };
}
