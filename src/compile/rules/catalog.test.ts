import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDetections, readExamples } from '../../content/rules.js';
import { catalogDocument, renderCatalog } from './catalog.js';

describe('the rule catalogue in docs/rules.md', () => {
  // A cold prettier run over the whole document takes several seconds on a busy 2-core machine.
  it('is up to date with the rule files (run `npm run docs:rules`)', { timeout: 30_000 }, async () => {
    expect(readFileSync('docs/rules.md', 'utf8')).toBe(await catalogDocument());
  });

  it('has a section per rule with its tuning parameters', () => {
    const text = renderCatalog(readDetections('detections'), readExamples('detections').values);
    expect(text).toContain('`an1608-account-created-outside-change-window` · **query**');
    expect(text).toMatch(
      /opts out of the approved_provisioners exemption .*; uses `approved_provisioners`; uses `change_window`/,
    );
  });
});
