import type { Cluster } from '../../src/cluster/index.js';
import { compilePipelines } from '../../src/compile/index.js';
import type { PipelineCompileOptions } from '../../src/compile/pipelines.js';

/** Puts the compiled templates and pipelines into the test cluster (the deployer's job in production). */
export async function installPipelines(
  cluster: Cluster,
  options: PipelineCompileOptions = {},
): Promise<void> {
  for (const resource of compilePipelines('pipelines', options)) {
    if (resource.kind === 'component_template')
      await cluster.putComponentTemplate(resource.id, resource.body);
    else if (resource.kind === 'index_template') await cluster.putIndexTemplate(resource.id, resource.body);
    else await cluster.putPipeline(resource.id, resource.body);
  }
}
