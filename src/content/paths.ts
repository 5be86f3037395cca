import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package (src/content or dist/content, two levels down): its pipelines, templates and ATT&CK table. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where each part of a content directory is read from. */
export interface ContentPaths {
  pipelines: string;
  detections: string;
  scenarios: string;
  templates: string;
}

/**
 * The folders of a content directory. What a repository does not have comes from the package — the
 * pipelines and the record templates (and the ATT&CK table, readAttackTable) — so `firedrill init` copies none of them and they
 * update with firedrill.
 */
export function contentPaths(dir = '.'): ContentPaths {
  const own = (...parts: string[]) => {
    const path = join(dir, ...parts);
    return existsSync(path) ? path : join(PACKAGE_ROOT, ...parts);
  };
  return {
    pipelines: own('pipelines'),
    detections: join(dir, 'detections'),
    scenarios: join(dir, 'scenarios'),
    templates: own('scenarios', 'templates'),
  };
}
