import pc from 'picocolors';

/**
 * Colours for one output stream: on a terminal or under FORCE_COLOR, never under NO_COLOR. picocolors' own
 * default also colours whenever CI is set, which puts escape codes into captured output.
 */
export function colorsFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  const env = process.env;
  const enabled =
    !('NO_COLOR' in env) && ('FORCE_COLOR' in env || (Boolean(stream.isTTY) && env.TERM !== 'dumb'));
  return pc.createColors(enabled);
}
