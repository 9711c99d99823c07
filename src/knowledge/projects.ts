/**
 * The community's projects: canonical spelling first, then other names people write for it.
 * Matching ignores case, spaces, dots, dashes and underscores, so `sofa-jraft` and `SOFA JRaft`
 * need no entry of their own.
 */
const PROJECT_NAMES: Readonly<Record<string, readonly string[]>> = {
  SOFAJRaft: ['JRaft', 'RheaKV'],
  SOFARPC: [],
  SOFABoot: [],
  SOFARegistry: ['SOFARegistery'],
  SOFATracer: [],
  SOFAArk: [],
  SOFABolt: [],
  SOFALookout: [],
  SOFADashboard: [],
  SOFAHessian: [],
  SOFAActs: [],
  SOFAJarslink: [],
  SOFAMesh: [],
  SOFAServerless: [],
  'sofa-common-tools': [],
  Seata: [],
  MOSN: ['SOFAMosn'],
  Layotto: [],
  'Layotto Java SDK': [],
  Koupleless: [],
  Occlum: [],
  Holmes: [],
  BabaSSL: [],
  Tongsuo: [],
};

const squash = (name: string): string => name.toLowerCase().replace(/[\s._-]+/g, '');

const BY_KEY: ReadonlyMap<string, string> = new Map(
  Object.entries(PROJECT_NAMES).flatMap(([canonical, others]) =>
    [canonical, ...others].map((name) => [squash(name), canonical] as const),
  ),
);

// Any spelling in running text: letters may be separated by a space, dot, dash or underscore only
// where the key has a word boundary we know of (after "sofa"), which keeps "so far" from matching.
// Longest first, so "SOFA MOSN" is read whole rather than as "MOSN".
const MENTION = new RegExp(
  [...BY_KEY.keys()]
    .sort((a, b) => b.length - a.length)
    .map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/^sofa(?=.)/, 'sofa[\\s._-]?'))
    .map((pattern) => `(?<![A-Za-z])${pattern}(?![A-Za-z])`)
    .join('|'),
  'i',
);

/** The canonical spelling of a project name (`sofa-rpc` → `SOFARPC`), or undefined if unknown. */
export function canonicalProject(name: string): string | undefined {
  return BY_KEY.get(squash(name));
}

/** The first project named anywhere in the text, canonically spelled. */
export function mentionedProject(text: string): string | undefined {
  const match = MENTION.exec(text);
  return match ? canonicalProject(match[0]) : undefined;
}
