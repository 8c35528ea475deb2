/**
 * Runs inside VS Code's extension host: loads the suite files of one scenario
 * into mocha and runs them. @vscode/test-electron calls `run()` through
 * `--extensionTestsPath`; the server host's runner extension calls it on
 * startup. Either way the result also goes to the file named by
 * IAC_LINT_E2E_RESULT, and `run()` rejects when a test failed.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import Mocha from 'mocha';
import { metrics } from './helpers';
import { ENV, scenarioByName, type E2eResult, type E2eTestResult } from './scenarios';

function progress(line: string): void {
  console.log(line);
  const file = process.env[ENV.progress];
  if (file) fs.appendFileSync(file, `${line}\n`);
}

function writeResult(result: E2eResult): void {
  const file = process.env[ENV.result];
  if (!file) return;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2));
  fs.renameSync(`${file}.tmp`, file); // the host polls for the file: it must appear complete
}

export async function run(): Promise<void> {
  const started = Date.now();
  const scenarioName = process.env[ENV.scenario];
  const tests: E2eTestResult[] = [];
  const result = (error?: string): E2eResult => ({
    scenario: scenarioName ?? '?',
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length + (error ? 1 : 0),
    durationMs: Date.now() - started,
    tests,
    metrics: Object.fromEntries(metrics),
    ...(error ? { error } : {}),
  });

  let failures: number;
  try {
    const scenario = scenarioByName(scenarioName);
    // Slow shared machines: single steps wait with their own, shorter deadlines.
    const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: Mocha.reporters.Base });
    for (const suite of scenario.suites) mocha.addFile(nodePath.join(__dirname, 'suite', `${suite}.e2e.js`));
    progress(`scenario ${scenario.name}: ${scenario.suites.join(', ')}`);
    failures = await new Promise<number>((resolve) => {
      const runner = mocha.run(resolve);
      runner.on('pass', (test) => {
        tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
        progress(`  ✓ ${test.fullTitle()} (${test.duration ?? 0} ms)`);
      });
      runner.on('fail', (test, err: Error) => {
        const error = err.stack ?? String(err);
        tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error });
        progress(`  ✗ ${test.fullTitle()}\n${error.replace(/^/gm, '      ')}`);
      });
    });
  } catch (e) {
    const message = (e as Error).stack ?? String(e);
    progress(`the suite could not run: ${message}`);
    writeResult(result(message));
    throw e;
  }
  writeResult(result());
  progress(`${tests.length - failures} passed, ${failures} failed`);
  if (failures > 0) throw new Error(`${failures} end-to-end test(s) failed`);
}
