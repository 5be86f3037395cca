import type { TestProject } from 'vitest/node';
import { describe, expect, inject, it } from 'vitest';
import { connect } from '../cluster/index.js';
import { layoutOf } from '../layout/index.js';
import { firedrillGlobalSetup } from './index.js';

describe('firedrillGlobalSetup', () => {
  it('deploys the content to FIREDRILL_TEST_TARGET, provides its URL, and leaves a cluster it did not start running', async () => {
    const url = inject('clusterUrl');
    const saved = process.env.FIREDRILL_TEST_TARGET;
    process.env.FIREDRILL_TEST_TARGET = url;
    const provided: Record<string, unknown> = {};
    const project = {
      provide: (key: string, value: unknown) => (provided[key] = value),
    } as unknown as TestProject;
    try {
      const teardown = await firedrillGlobalSetup(project);
      expect(provided).toEqual({ firedrillUrl: url });
      const cluster = await connect({ target: url });
      try {
        expect(await cluster.getPipeline('firedrill-router')).toBeDefined();
        expect(
          await cluster.count(layoutOf().rulesIndex, { prefix: { firedrill_rule_id: 'an1608-' } }),
        ).toBeGreaterThanOrEqual(16);
        await teardown();
        expect((await cluster.health()).status).not.toBe('red');
      } finally {
        await cluster.close();
      }
    } finally {
      if (saved === undefined) delete process.env.FIREDRILL_TEST_TARGET;
      else process.env.FIREDRILL_TEST_TARGET = saved;
    }
  });
});
