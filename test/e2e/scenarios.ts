/**
 * The real-editor suite, as a list of VS Code launches. Each scenario opens a
 * fresh copy of a workspace in a new VS Code (fresh profile, the packaged
 * extension installed from the .vsix) and runs some suite files in its extension
 * host. Both hosts (scripts/e2e/electronHost.ts, scripts/e2e/serverHost.ts) read
 * this list; test/e2e/index.ts runs the suites of the scenario it is told.
 *
 * To add tests: add a suite file test/e2e/suite/<name>.e2e.ts and name it in a
 * scenario below; files it needs go into that scenario's workspace folder.
 */

export interface Scenario {
  name: string;
  /** Folders, relative to the repository root, copied in order into one temporary folder that VS Code opens. */
  workspace: string[];
  /** Files of test/e2e/suite, without `.e2e.ts`, run in this order in one extension host. */
  suites: string[];
  /** false opens the folder in restricted mode (workspace trust enabled, the folder not trusted). */
  trusted: boolean;
}

/**
 * The name of the folder VS Code opens (under the scenario's temporary folder): what the
 * Explorer and the window title show, e.g. in the README screenshot.
 */
export const WORKSPACE_FOLDER_NAME = 'infrastructure';

export const SCENARIOS: readonly Scenario[] = [
  {
    // The bundled examples plus a few files of our own, in a trusted folder.
    name: 'editor',
    workspace: ['examples', 'test/e2e/workspaces/iac'],
    suites: ['diagnostics', 'suppression', 'quickFixes', 'commands'],
    trusted: true,
  },
  {
    // The workspace scan: findings of files nobody opened reach the Problems panel.
    name: 'workspace-scan',
    workspace: ['examples'],
    suites: ['workspaceScan'],
    trusted: true,
  },
  {
    // Restricted mode: the folder's .iac-lint.yaml is not read, the built-in defaults apply.
    name: 'untrusted',
    workspace: ['examples', 'test/e2e/workspaces/untrusted'],
    suites: ['trust'],
    trusted: false,
  },
  {
    // Only plain YAML and JSON, and one template with an unremarkable name.
    name: 'plain-workspace',
    workspace: ['test/e2e/workspaces/plain'],
    suites: ['lazyStart'],
    trusted: true,
  },
];

/** Environment variables through which a host talks to test/e2e/index.ts in the extension host. */
export const ENV = {
  /** Name of the scenario to run. */
  scenario: 'IAC_LINT_E2E_SCENARIO',
  /** Where index.ts writes the JSON result (an `E2eResult`). */
  result: 'IAC_LINT_E2E_RESULT',
  /** A file index.ts appends one line per finished test to, for live progress. */
  progress: 'IAC_LINT_E2E_PROGRESS',
  /** A folder for screenshot requests (`<name>.request` → the host writes `<name>.done`); unset: no screenshots. */
  screenshots: 'IAC_LINT_E2E_SCREENSHOTS',
  /** Set to `1` by the server host: the runner extension then starts the suite (test-electron starts it itself). */
  autorun: 'IAC_LINT_E2E_AUTORUN',
  /** Absolute path of out/test/e2e/index.js, for the runner extension. */
  tests: 'IAC_LINT_E2E_TESTS',
} as const;

export interface E2eTestResult {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export interface E2eResult {
  scenario: string;
  passed: number;
  failed: number;
  durationMs: number;
  tests: E2eTestResult[];
  /** Measurements the tests recorded (milliseconds unless the name says otherwise). */
  metrics: Record<string, number>;
  /** Set when the suite could not run at all. */
  error?: string;
}

export function scenarioByName(name: string | undefined): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown e2e scenario ${JSON.stringify(name)}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}
