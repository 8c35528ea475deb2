/**
 * What `activate()` returns (`vscode.extensions.getExtension('iac-lint.iac-lint').exports`):
 * a small read-only view for tests and for other extensions. Types only.
 */
export interface IacLintApi {
  readonly timings: {
    /** Milliseconds spent in `activate()`. */
    readonly activateMs: number;
    /**
     * Milliseconds from the moment IaC was first seen (see lazyStart.ts) until
     * the language server answered `initialize`; undefined before that.
     */
    readonly serverStartMs?: number;
  };
  /** Whether the language server is running now. */
  serverRunning(): boolean;
}
