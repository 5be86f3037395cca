import type { Coverage } from './coverage.js';

/**
 * An ATT&CK Navigator layer, format 4.5 (github.com/mitre-attack/attack-navigator, layers/spec/v4.5): only the
 * fields that format defines, so the Navigator imports it without complaint.
 */
export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: string };
  domain: 'enterprise-attack';
  description: string;
  filters: { platforms: string[] };
  sorting: number;
  layout: {
    layout: 'side';
    showID: boolean;
    showName: boolean;
    /** Sub-techniques shown under their parent: those with an entry of their own. */
    expandedSubtechniques: 'annotated';
  };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  showTacticRowBackground: boolean;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
}

export interface NavigatorTechnique {
  techniqueID: string;
  tactic: string;
  /** Absent on a parent listed only so its sub-techniques show. */
  score?: number;
  color?: string;
  comment?: string;
  enabled: boolean;
  metadata?: { name: string; value: string }[];
  showSubtechniques: boolean;
}

/** Comments show in a tooltip: kept short; the full lists are in `metadata`. */
export const MAX_COMMENT = 200;

export const STATUS_COLORS = { proven: '#2e9e4f', covered: '#e0a526', failing: '#d3453d' } as const;
const SCORES = { proven: 100, covered: 50, failing: 10 } as const;

/** Navigator tactic short names: `Privilege Escalation` → `privilege-escalation`. */
export function tacticShortName(name: string): string {
  return name.toLowerCase().replace(/&/g, 'and').replace(/\s+/g, '-');
}

/**
 * One layer entry per technique and tactic it sits under, scored by proof: 100 proven, 50 covered, 10 failing.
 * A sub-technique's parent is listed too (unscored unless a rule maps it), with its sub-techniques shown.
 */
export function navigatorLayer(coverage: Coverage, name = 'firedrill coverage'): NavigatorLayer {
  const scored: NavigatorTechnique[] = coverage.techniques.flatMap((t) =>
    t.tactics.map((tactic) => ({
      techniqueID: t.id,
      tactic: tacticShortName(tactic.name),
      score: SCORES[t.status],
      color: STATUS_COLORS[t.status],
      comment: shortComment(t.status, t.rules, t.provenBy),
      enabled: true,
      metadata: [
        { name: 'status', value: t.status },
        ...t.rules.map((r) => ({ name: 'rule', value: r })),
        ...t.provenBy.map((s) => ({ name: 'proven by', value: s })),
      ],
      showSubtechniques: !t.id.includes('.'),
    })),
  );
  const key = (t: { techniqueID: string; tactic: string }) => `${t.techniqueID}/${t.tactic}`;
  const listed = new Set(scored.map(key));
  const parents = new Map<string, NavigatorTechnique>();
  for (const t of scored) {
    const parent = { techniqueID: t.techniqueID.split('.')[0]!, tactic: t.tactic };
    if (parent.techniqueID === t.techniqueID || listed.has(key(parent))) continue;
    parents.set(key(parent), { ...parent, enabled: true, showSubtechniques: true });
  }
  return {
    name,
    versions: { attack: '17', navigator: '5.1.0', layer: '4.5' },
    domain: 'enterprise-attack',
    description:
      'Techniques covered by firedrill rules; green = proven by a passing attack scenario, amber = rule without passing proof, red = a scenario failed.',
    filters: { platforms: ['IaaS', 'Identity Provider', 'SaaS', 'Office Suite'] },
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques: [...scored, ...parents.values()].sort(
      (a, b) => a.techniqueID.localeCompare(b.techniqueID) || a.tactic.localeCompare(b.tactic),
    ),
    gradient: { colors: [STATUS_COLORS.failing, STATUS_COLORS.covered, STATUS_COLORS.proven], minValue: 0, maxValue: 100 },
    legendItems: [
      { label: 'proven by a passing scenario', color: STATUS_COLORS.proven },
      { label: 'covered by a rule, not proven', color: STATUS_COLORS.covered },
      { label: 'a scenario failed', color: STATUS_COLORS.failing },
    ],
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
  };
}

/** `proven: 2 rules (a, b); proven by 3 scenarios`, cut to MAX_COMMENT characters. */
function shortComment(status: string, rules: string[], provenBy: string[]): string {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const text = `${status}: ${count(rules.length, 'rule')} (${rules.join(', ')})${provenBy.length ? `; proven by ${count(provenBy.length, 'scenario')}` : ''}`;
  return text.length <= MAX_COMMENT ? text : `${text.slice(0, MAX_COMMENT - 1)}…`;
}
