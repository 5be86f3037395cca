import type { Coverage } from './coverage.js';

/** ATT&CK Navigator layer (format 4.5), enough for the Navigator to import and color. */
export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: string };
  domain: 'enterprise-attack';
  description: string;
  filters: { platforms: string[] };
  sorting: number;
  layout: { layout: 'side'; showID: boolean; showName: boolean; hideDisabled: boolean };
  hideDisabled: boolean;
  techniques: {
    techniqueID: string;
    tactic: string;
    score: number;
    color: string;
    comment: string;
    enabled: boolean;
    metadata: { name: string; value: string }[];
    showSubtechniques: boolean;
  }[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  showTacticRowBackground: boolean;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
}

export const STATUS_COLORS = { proven: '#2e9e4f', covered: '#e0a526', failing: '#d3453d' } as const;
const SCORES = { proven: 100, covered: 50, failing: 10 } as const;

/** Navigator tactic short names: `Privilege Escalation` → `privilege-escalation`. */
export function tacticShortName(name: string): string {
  return name.toLowerCase().replace(/&/g, 'and').replace(/\s+/g, '-');
}

/** One layer entry per technique and tactic it sits under, scored by proof: 100 proven, 50 covered, 10 failing. */
export function navigatorLayer(coverage: Coverage, name = 'firedrill coverage'): NavigatorLayer {
  return {
    name,
    versions: { attack: '17', navigator: '5.1.0', layer: '4.5' },
    domain: 'enterprise-attack',
    description:
      'Techniques covered by firedrill rules; green = proven by a passing attack scenario, amber = rule without passing proof, red = a scenario failed.',
    filters: { platforms: ['IaaS', 'Identity Provider', 'SaaS', 'Office Suite'] },
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, hideDisabled: false },
    hideDisabled: false,
    techniques: coverage.techniques.flatMap((t) =>
      t.tactics.map((tactic) => ({
        techniqueID: t.id,
        tactic: tacticShortName(tactic.name),
        score: SCORES[t.status],
        color: STATUS_COLORS[t.status],
        comment: `${t.status}: rules ${t.rules.join(', ')}${t.provenBy.length ? `; proven by ${t.provenBy.join(', ')}` : ''}`,
        enabled: true,
        metadata: [
          { name: 'status', value: t.status },
          ...t.rules.map((r) => ({ name: 'rule', value: r })),
        ],
        showSubtechniques: true,
      })),
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
