#!/usr/bin/env node
// keelson-operator new NAME | codegen CRD.yaml (see src/cli.ts; run `npm run build` in the checkout first).
process.exitCode = require('../dist/cli.js').main(process.argv.slice(2));
