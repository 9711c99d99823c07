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

/**
 * Projects built into one another, whose answers often explain each other: a SOFARPC question is
 * answered by a SOFABoot entry on its RPC starter, a SOFAArk one by a Koupleless entry. Symmetric.
 */
const RELATED: readonly (readonly string[])[] = [
  ['SOFABoot', 'SOFARPC', 'SOFAArk', 'SOFATracer', 'SOFALookout', 'SOFARegistry'],
  ['SOFARPC', 'SOFABolt', 'SOFARegistry', 'SOFATracer'],
  ['SOFAJRaft', 'SOFABolt'],
  ['SOFAArk', 'SOFAJarslink', 'SOFAServerless', 'Koupleless'],
  ['MOSN', 'SOFAMesh', 'Layotto', 'Layotto Java SDK', 'Holmes'],
  ['BabaSSL', 'Tongsuo'],
];

/** Where to ask about a project when the knowledge has no answer: its GitHub repository. */
const REPOSITORIES: Readonly<Record<string, string>> = {
  SOFAJRaft: 'https://github.com/sofastack/sofa-jraft',
  SOFARPC: 'https://github.com/sofastack/sofa-rpc',
  SOFABoot: 'https://github.com/sofastack/sofa-boot',
  SOFARegistry: 'https://github.com/sofastack/sofa-registry',
  SOFATracer: 'https://github.com/sofastack/sofa-tracer',
  SOFAArk: 'https://github.com/sofastack/sofa-ark',
  SOFABolt: 'https://github.com/sofastack/sofa-bolt',
  SOFALookout: 'https://github.com/sofastack/sofa-lookout',
  SOFADashboard: 'https://github.com/sofastack/sofa-dashboard',
  SOFAHessian: 'https://github.com/sofastack/sofa-hessian',
  SOFAActs: 'https://github.com/sofastack/sofa-acts',
  'sofa-common-tools': 'https://github.com/sofastack/sofa-common-tools',
  Seata: 'https://github.com/seata/seata',
  MOSN: 'https://github.com/mosn/mosn',
  Layotto: 'https://github.com/mosn/layotto',
  Koupleless: 'https://github.com/koupleless/koupleless',
  Holmes: 'https://github.com/mosn/holmes',
  Occlum: 'https://github.com/occlum/occlum',
};

/** The community's home on GitHub, for questions about no particular project. */
export const COMMUNITY_REPOSITORY = 'https://github.com/sofastack';

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

/** Every project name we know, canonical spellings and the others. */
export function projectNames(): string[] {
  return Object.entries(PROJECT_NAMES).flatMap(([canonical, others]) => [canonical, ...others]);
}

/** The canonical spelling of a project name (`sofa-rpc` → `SOFARPC`), or undefined if unknown. */
export function canonicalProject(name: string): string | undefined {
  return BY_KEY.get(squash(name));
}

/** The first project named anywhere in the text, canonically spelled. */
export function mentionedProject(text: string): string | undefined {
  const match = MENTION.exec(text);
  return match ? canonicalProject(match[0]) : undefined;
}

/** The projects related to one, canonically spelled (see RELATED), itself excluded. */
export function relatedProjects(project: string): string[] {
  return [...new Set(RELATED.filter((family) => family.includes(project)).flat())].filter((p) => p !== project);
}

/** The GitHub repository of a project named in canonical spelling, if it has one. */
export function repositoryOf(project: string): string | undefined {
  return REPOSITORIES[project];
}
