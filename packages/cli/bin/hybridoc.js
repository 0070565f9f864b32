#!/usr/bin/env node
// Entry point for the `hybridoc` binary; the command line lives in ../dist (built by `npm install` / `npm test`).
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    console.error('hybridoc: the CLI is not built yet; run `npm run build` in the repository root');
    process.exit(2);
  }
  throw err;
});
