import { ContentErrors, type ContentError } from '../errors.js';
import { contentPaths } from './paths.js';
import { readPipelineContent, type PipelineContent } from './pipelines.js';
import { readDetections, type Detections } from './rules.js';
import { readEach } from './yaml.js';

/** Everything the compiler turns into cluster resources. */
export interface Content {
  pipelines: PipelineContent;
  detections: Detections;
}

/** How `readContent` reads each part: src/validate passes readers that also check. */
export interface ContentReaders {
  pipelines(dir: string): { content: PipelineContent; errors: ContentError[] };
  detections(dir: string): Detections;
}

/**
 * Reads `<dir>/pipelines` (the package's when the directory has none) and `<dir>/detections`,
 * schema-checked; throws every problem of both at once.
 */
export function readContent(
  dir = '.',
  read: ContentReaders = { pipelines: readPipelineContent, detections: readDetections },
): Content {
  const paths = contentPaths(dir);
  const pipelines = read.pipelines(paths.pipelines);
  const detections = readEach([paths.detections], read.detections);
  const errors = [...pipelines.errors, ...detections.errors];
  if (errors.length) throw new ContentErrors(errors);
  return { pipelines: pipelines.content, detections: detections.values[0]! };
}
