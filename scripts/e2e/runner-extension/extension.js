// The server host (scripts/e2e/serverHost.ts) installs this next to the packaged
// iac-lint and sets IAC_LINT_E2E_AUTORUN=1: it then runs the suite once the
// window has started. Under @vscode/test-electron, which runs the suite itself
// through --extensionTestsPath, it does nothing.
'use strict';
const fs = require('node:fs');

exports.activate = function activate() {
  if (process.env.IAC_LINT_E2E_AUTORUN !== '1') return;
  const resultFile = process.env.IAC_LINT_E2E_RESULT;
  const fail = (err) => {
    // index.ts writes the result itself; this covers a suite that could not even load.
    if (resultFile && !fs.existsSync(resultFile)) {
      const error = (err && err.stack) || String(err);
      const result = { scenario: process.env.IAC_LINT_E2E_SCENARIO, passed: 0, failed: 1, durationMs: 0, tests: [], metrics: {}, error };
      fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
    }
  };
  try {
    // eslint-disable-next-line global-require -- the path comes from the host
    Promise.resolve(require(process.env.IAC_LINT_E2E_TESTS).run()).catch(fail);
  } catch (err) {
    fail(err);
  }
};

exports.deactivate = function deactivate() {};
