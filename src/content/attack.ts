import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { PACKAGE_ROOT } from './paths.js';
import { documentOptions, Pattern } from './schema.js';
import { compileSchema, loadValidated } from './yaml.js';

const TACTIC_ID = '^TA[0-9]{4}$';
const TECHNIQUE_ID = '^T[0-9]{4}$';
const SUBTECHNIQUE_ID = '^T[0-9]{4}\\.[0-9]{3}$';
const TECHNIQUE_OR_SUB_ID = '^T[0-9]{4}(\\.[0-9]{3})?$';
const ANALYTIC_ID = '^AN[0-9]{4}$';

const tacticId = () => Pattern(TACTIC_ID, 'is not a tactic id like TA0003');
const techniqueOrSubId = () => Pattern(TECHNIQUE_OR_SUB_ID, 'is not a technique id like T1136 or T1136.003');

/** A rule's ATT&CK reference, by id only; names come from the bundled table. */
export const ThreatRefSchema = Type.Object(
  {
    tactic: tacticId(),
    technique: Pattern(TECHNIQUE_ID, 'is not a technique id like T1136'),
    subtechnique: Type.Optional(Pattern(SUBTECHNIQUE_ID, 'is not a sub-technique id like T1136.003')),
    analytic: Type.Optional(Pattern(ANALYTIC_ID, 'is not an analytic id like AN1608')),
  },
  { additionalProperties: false },
);
export type ThreatRef = Static<typeof ThreatRefSchema>;

/** ATT&CK mapping as the alert carries it (ECS `threat.*`). */
export interface ThreatMapping {
  tactic: { id: string; name: string };
  technique: { id: string; name: string };
  subtechnique?: { id: string; name: string };
  /** ATT&CK analytic id, e.g. AN1608. */
  analytic?: string;
}

const Name = () => Type.String({ minLength: 1 });

export const AttackTableSchema = Type.Object(
  {
    tactics: Type.Record(Type.String({ pattern: TACTIC_ID }), Name(), {
      additionalProperties: false,
      description: 'Tactic id → name.',
    }),
    techniques: Type.Record(
      Type.String({ pattern: TECHNIQUE_OR_SUB_ID }),
      Type.Object(
        { name: Name(), tactics: Type.Optional(Type.Array(tacticId())) },
        { additionalProperties: false },
      ),
      {
        additionalProperties: false,
        description: '(Sub-)technique id → name and the tactics it belongs to.',
      },
    ),
    analytics: Type.Record(
      Type.String({ pattern: ANALYTIC_ID }),
      Type.Object(
        { name: Name(), techniques: Type.Array(techniqueOrSubId()) },
        { additionalProperties: false },
      ),
      { additionalProperties: false, description: 'Analytic id → name and techniques.' },
    ),
  },
  {
    ...documentOptions(
      'attack',
      'firedrill ATT&CK table',
      'The ATT&CK slice rules may name: detections/attack/techniques.yaml (docs/rules.md).',
    ),
    additionalProperties: false,
  },
);
type AttackFile = Static<typeof AttackTableSchema>;

const validateAttackFile = compileSchema(AttackTableSchema);

/** The bundled ATT&CK slice: resolves rule references to named mappings, or says what is wrong. */
export class AttackTable {
  constructor(readonly data: AttackFile) {}

  /** Every technique and sub-technique of the table under each tactic it belongs to (a sub-technique: its parent's). */
  techniquesByTactic(): {
    tactic: { id: string; name: string };
    techniques: { id: string; name: string }[];
  }[] {
    const entries = Object.entries(this.data.techniques);
    return Object.entries(this.data.tactics).map(([id, name]) => ({
      tactic: { id, name },
      techniques: entries
        .filter(([tid]) => this.data.techniques[tid.split('.')[0]!]?.tactics?.includes(id))
        .map(([tid, t]) => {
          const parent = tid.includes('.') ? this.data.techniques[tid.split('.')[0]!] : undefined;
          return { id: tid, name: parent ? `${parent.name}: ${t.name}` : t.name };
        }),
    }));
  }

  /** The ECS-ready mapping for a reference; throws a one-line problem naming the bad id. */
  resolve(ref: ThreatRef): ThreatMapping {
    const tactic = this.data.tactics[ref.tactic];
    if (!tactic) throw new Error(`tactic ${ref.tactic} is not in ${ATTACK_TABLE_HINT}`);
    if (ref.technique.includes('.'))
      throw new Error(`technique ${ref.technique} is a sub-technique; put it under subtechnique`);
    const technique = this.data.techniques[ref.technique];
    if (!technique) throw new Error(`technique ${ref.technique} is not in ${ATTACK_TABLE_HINT}`);
    if (!technique.tactics?.includes(ref.tactic))
      throw new Error(`technique ${ref.technique} does not belong to tactic ${ref.tactic}`);
    const mapping: ThreatMapping = {
      tactic: { id: ref.tactic, name: tactic },
      technique: { id: ref.technique, name: technique.name },
    };
    if (ref.subtechnique) {
      const sub = this.data.techniques[ref.subtechnique];
      if (!sub) throw new Error(`sub-technique ${ref.subtechnique} is not in ${ATTACK_TABLE_HINT}`);
      if (!ref.subtechnique.startsWith(`${ref.technique}.`))
        throw new Error(`sub-technique ${ref.subtechnique} is not part of ${ref.technique}`);
      mapping.subtechnique = { id: ref.subtechnique, name: sub.name };
    }
    if (ref.analytic) {
      if (!this.data.analytics[ref.analytic])
        throw new Error(`analytic ${ref.analytic} is not in ${ATTACK_TABLE_HINT}`);
      mapping.analytic = ref.analytic;
    }
    return mapping;
  }
}

const ATTACK_TABLE_HINT = 'detections/attack/techniques.yaml';

/** Reads `<dir>/attack/techniques.yaml`, schema-checked; a content repository without one uses the package's. */
export function readAttackTable(dir = 'detections'): AttackTable {
  const own = join(dir, 'attack', 'techniques.yaml');
  const file = existsSync(own) ? own : join(PACKAGE_ROOT, 'detections', 'attack', 'techniques.yaml');
  return new AttackTable(loadValidated(file, validateAttackFile).value);
}
