// A jest reporter: after the run, the slowest test files and their share of the whole, so the
// `npm test` budget (~30 minutes on CI's 2 cores, one worker) is managed from CI's own log.
const { relative } = require('node:path');

class SuiteTimings {
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const rows = results.testResults
      .map((r) => ({ file: relative(this.root, r.testFilePath), s: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .filter((r) => Number.isFinite(r.s))
      .sort((a, b) => b.s - a.s);
    const total = rows.reduce((sum, r) => sum + r.s, 0);
    if (!rows.length) return;
    const lines = ['', `slowest test files (of ${rows.length}, ${total.toFixed(0)} s in all):`];
    for (const r of rows.slice(0, 25)) lines.push(`  ${r.s.toFixed(1).padStart(7)} s  ${((100 * r.s) / total).toFixed(1).padStart(4)} %  ${r.file}`);
    process.stderr.write(lines.join('\n') + '\n');
  }
}

module.exports = SuiteTimings;
