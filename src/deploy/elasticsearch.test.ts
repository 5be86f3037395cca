import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Cluster } from '../cluster/index.js';
import { deploy, rollback } from './index.js';
import { uniqueName } from '../../test/setup/connect.js';
import { contentSet, withBody } from './fixtures/content.js';
import { cleanup, liveHashes } from './fixtures/helpers.js';

const esUrl = process.env.FIREDRILL_ES_URL;

// No Elasticsearch exists on this machine: the request contract is checked in
// src/deploy/elasticsearch-contract.test.ts; this runs the real thing when one is given.
describe.skipIf(!esUrl)('deploy on a real Elasticsearch (skipped: set FIREDRILL_ES_URL to run)', () => {
  let cluster: Cluster;
  const prefix = uniqueName('es');

  beforeAll(async () => {
    cluster = await connect({ target: esUrl! });
  });
  afterAll(async () => {
    await cleanup(cluster, prefix);
    await cluster.close();
  });

  it('deploys, redeploys with zero writes, and rolls back', async () => {
    expect(cluster.info.distribution).toBe('elasticsearch');
    const v1 = contentSet(prefix);
    await deploy(cluster, v1, { deployment: prefix });
    const v1Hashes = await liveHashes(cluster, prefix);
    cluster.resetStats();
    await deploy(cluster, v1, { deployment: prefix });
    expect(cluster.stats.writes).toBe(0);

    await deploy(cluster, withBody(v1, `${prefix}-aws`, { processors: [] }), { deployment: prefix });
    await rollback(cluster, { deployment: prefix });
    expect(await liveHashes(cluster, prefix)).toEqual(v1Hashes);
  });
});
