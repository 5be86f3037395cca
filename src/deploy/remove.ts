import type { Cluster } from '../cluster/index.js';
import { FiredrillError } from '../errors.js';
import { checkDeploymentName, DEFAULT_DEPLOYMENT, layoutOf } from '../layout/index.js';

/**
 * Removes a deployment other than `default` whole: its pipelines, templates and indices (events, dead
 * letters, alerts, rules, engine state) and its deploy history. For drills, tests and benchmarks that
 * deployed into a deployment of their own; the default deployment is only ever changed by deploy/prune.
 */
export async function removeDeployment(cluster: Cluster, deployment: string): Promise<void> {
  checkDeploymentName(deployment);
  if (deployment === DEFAULT_DEPLOYMENT)
    throw new FiredrillError('the default deployment is never removed whole: use `firedrill deploy --prune`');
  const layout = layoutOf(deployment);
  for (const pattern of layout.ownedPatterns) {
    for (const id of Object.keys(await cluster.getIndexTemplates(pattern)))
      await cluster.deleteIndexTemplate(id);
    for (const id of Object.keys(await cluster.getComponentTemplates(pattern)))
      await cluster.deleteComponentTemplate(id);
    for (const id of Object.keys(await cluster.getPipelines(pattern))) await cluster.deletePipeline(id);
    await cluster.deleteIndex(pattern);
  }
  if (await cluster.indexExists(layout.historyIndex))
    await cluster.deleteByQuery(layout.historyIndex, { term: { deployment } });
}
