#!/usr/bin/env node
// Runs the compiled CLI. dist/ ships in the package and is built by `npm ci` / `npm install` in a checkout
// (the `prepare` script), so `npx firedrill` works right after either.
import('../dist/cli/main.js').then(
  (m) => m.main(process.argv),
  (error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js'))
      throw error;
    process.stderr.write('firedrill: error: dist/ is not built: run `npm run build` (npm ci does it)\n');
    process.exitCode = 70;
  },
);
