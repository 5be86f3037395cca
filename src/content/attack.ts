import { join } from 'node:path';
import type { ThreatMapping } from '../compile/types.js';
import { compileSchema, loadValidated } from './yaml.js';

/** A rule's ATT&CK reference, by id only; names come from the bundled table. */
export interface ThreatRef {
  tactic: string;
  technique: string;
  subtechnique?: string;
  analytic?: string;
}

interface TechniqueEntry {
  name: string;
  tactics?: string[];
}

interface AttackFile {
  tactics: Record<string, string>;
  techniques: Record<string, TechniqueEntry>;
  analytics: Record<string, { name: string; techniques: string[] }>;
}

const TACTIC_ID = '^TA[0-9]{4}$';
const TECHNIQUE_ID = '^T[0-9]{4}(\\.[0-9]{3})?$';
const ANALYTIC_ID = '^AN[0-9]{4}$';

const validateAttackFile = compileSchema<AttackFile>({
  type: 'object',
  additionalProperties: false,
  required: ['tactics', 'techniques', 'analytics'],
  properties: {
    tactics: {
      type: 'object',
      propertyNames: { pattern: TACTIC_ID },
      additionalProperties: { type: 'string', minLength: 1 },
    },
    techniques: {
      type: 'object',
      propertyNames: { pattern: TECHNIQUE_ID },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          tactics: { type: 'array', items: { type: 'string', pattern: TACTIC_ID } },
        },
      },
    },
    analytics: {
      type: 'object',
      propertyNames: { pattern: ANALYTIC_ID },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'techniques'],
        properties: {
          name: { type: 'string', minLength: 1 },
          techniques: { type: 'array', items: { type: 'string', pattern: TECHNIQUE_ID } },
        },
      },
    },
  },
});

/** The bundled ATT&CK slice: resolves rule references to named mappings, or says what is wrong. */
export class AttackTable {
  constructor(private readonly data: AttackFile) {}

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

/** Loads `<dir>/attack/techniques.yaml`, schema-checked. */
export function loadAttackTable(dir = 'detections'): AttackTable {
  return new AttackTable(loadValidated(join(dir, 'attack', 'techniques.yaml'), validateAttackFile).value);
}
