/**
 * Test helper run as a child process by orphan.cluster.test.ts: starts an attached embedded cluster,
 * prints `{ pid, dataDir, url }` as one JSON line, then waits to be killed.
 */
import { EmbeddedCluster } from '../../src/providers/embedded/index.js';

const cluster = await new EmbeddedCluster().withHeap('512m').start();
process.stdout.write(`${JSON.stringify({ pid: cluster.pid, dataDir: cluster.dataDir, url: cluster.url })}\n`);
setInterval(() => {}, 60_000);
