import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { compileAll } from '../compile/index.js';
import { layoutOf } from '../layout/index.js';
import { deploy, removeDeployment } from './index.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';

let cluster: Cluster;
const ns = uniqueName('content');

beforeAll(async () => {
  cluster = await connectTestCluster();
});
afterAll(async () => {
  await removeDeployment(cluster, ns);
  await cluster.close();
});

describe('the real content set', () => {
  const resources = compileAll({ deployment: ns });

  it('deploys every pipeline, template, engine index and rule, then redeploys with zero writes', async () => {
    const first = await deploy(cluster, resources, { deployment: ns });
    expect(first.plan.counts.create).toBe(resources.length);

    cluster.resetStats();
    const again = await deploy(cluster, resources, { deployment: ns });
    expect(again.plan.counts.unchanged).toBe(resources.length);
    expect(cluster.stats.writeLog).toEqual([]);
  });

  it('wires the namespaced pipelines to each other and to namespaced indices', async () => {
    const record = {
      eventVersion: '1.08',
      eventTime: '2024-03-05T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.15.0',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE',
        arn: 'arn:aws:iam::111122223333:user/alice',
        accountId: '111122223333',
        userName: 'alice',
      },
      requestParameters: { userName: 'new-user' },
      eventID: '11111111-2222-3333-4444-555555555555',
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    };
    const result = await cluster.simulatePipeline<{ docs: { doc: { _index: string } }[] }>(
      `${ns}-firedrill-router`,
      [{ message: JSON.stringify(record) }],
    );
    expect(result.docs[0]?.doc._index).toBe(`${ns}-logs-aws.cloudtrail-default`);
  });

  it('removes the whole deployment, history included, and nothing of the default one', async () => {
    const before = Object.keys(await cluster.getPipelines('firedrill-*')).length;
    await removeDeployment(cluster, ns);
    expect(await cluster.getPipelines(`${ns}-*`)).toEqual({});
    expect(await cluster.getIndexTemplates(`${ns}-*`)).toEqual({});
    expect(await cluster.getComponentTemplates(`${ns}-*`)).toEqual({});
    expect(await cluster.indexExists(layoutOf(ns).alertsIndex)).toBe(false);
    expect(await cluster.count(layoutOf().historyIndex, { term: { deployment: ns } })).toBe(0);
    expect(Object.keys(await cluster.getPipelines('firedrill-*'))).toHaveLength(before);
    await expect(removeDeployment(cluster, 'default')).rejects.toThrow(/never removed whole/);
  });
});
