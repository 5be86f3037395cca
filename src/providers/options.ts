import { FiredrillError } from '../errors.js';

/** Cluster sizes every provider supports: one node, or three for a real quorum. */
export function validNodes(nodes: number): 1 | 3 {
  if (nodes !== 1 && nodes !== 3) throw new FiredrillError(`nodes must be 1 or 3, got ${nodes}`);
  return nodes;
}

/** A TCP port the provider may bind, at most `max` (providers that bind a block of ports lower it). */
export function validPort(port: number, max = 65535): number {
  if (!Number.isInteger(port) || port < 1 || port > max)
    throw new FiredrillError(`HTTP port must be an integer from 1 to ${max}, got ${port}`);
  return port;
}
