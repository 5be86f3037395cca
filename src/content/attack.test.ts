import { describe, expect, it } from 'vitest';
import { readAttackTable } from './attack.js';

describe('the bundled ATT&CK table', () => {
  const attack = readAttackTable('detections');

  it('resolves ids to the names alerts carry', () => {
    expect(
      attack.resolve({ tactic: 'TA0003', technique: 'T1098', subtechnique: 'T1098.001', analytic: 'AN1608' }),
    ).toEqual({
      tactic: { id: 'TA0003', name: 'Persistence' },
      technique: { id: 'T1098', name: 'Account Manipulation' },
      subtechnique: { id: 'T1098.001', name: 'Additional Cloud Credentials' },
      analytic: 'AN1608',
    });
  });

  it.each([
    [{ tactic: 'TA0099', technique: 'T1136' }, 'tactic TA0099 is not in detections/attack/techniques.yaml'],
    [
      { tactic: 'TA0003', technique: 'T1136.003' },
      'technique T1136.003 is a sub-technique; put it under subtechnique',
    ],
    [{ tactic: 'TA0003', technique: 'T9999' }, 'technique T9999 is not in detections/attack/techniques.yaml'],
    [{ tactic: 'TA0005', technique: 'T1136' }, 'technique T1136 does not belong to tactic TA0005'],
    [
      { tactic: 'TA0003', technique: 'T1136', subtechnique: 'T1098.001' },
      'sub-technique T1098.001 is not part of T1136',
    ],
    [
      { tactic: 'TA0003', technique: 'T1136', analytic: 'AN0001' },
      'analytic AN0001 is not in detections/attack/techniques.yaml',
    ],
  ])('rejects %j', (ref, message) => {
    expect(() => attack.resolve(ref)).toThrow(message);
  });
});
