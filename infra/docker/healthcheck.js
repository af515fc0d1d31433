#!/usr/bin/env node
// Container health probe without curl: GET the URL (default the gateway's /readyz), exit 0 on 2xx.
// HTTPS is verified against KEELSON_CA_FILE when set.
'use strict';
const fs = require('node:fs');
const url = new URL(process.argv[2] || 'https://127.0.0.1:6443/readyz');
const lib = url.protocol === 'https:' ? require('node:https') : require('node:http');
const ca = process.env.KEELSON_CA_FILE ? fs.readFileSync(process.env.KEELSON_CA_FILE) : undefined;
const req = lib.get(url, { ca, timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (err) => {
  process.stderr.write(`healthcheck ${url.href}: ${err.message}\n`);
  process.exit(1);
});
