/**
 * One backfill run in a process of its own, so its peak memory is the engine's alone:
 * `tsx bench/lib/backfill-child.ts <target> <deployment> <from ISO> <to ISO>` prints one JSON line.
 */
import { connect } from '../../src/cluster/index.js';
import { runOnce } from '../../src/engine/index.js';

const [target, deployment, from, to] = process.argv.slice(2) as [string, string, string, string];
const cluster = await connect({ target });
const started = Date.now();
const report = await runOnce(cluster, { deployment, from: new Date(from), to: new Date(to) });
process.stdout.write(
  `${JSON.stringify({
    ms: Date.now() - started,
    alerts: report.alerts,
    errors: report.rules.filter((r) => r.error).map((r) => `${r.ruleId}: ${r.error}`),
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
await cluster.close();
