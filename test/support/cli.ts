// Runs the built CLI (dist/cli/main.js) as a user would: a separate node process with its own arguments,
// working directory, standard input and environment. End-to-end tests in test/cli use it; they test what
// ships, so `npm run build` must have run (`make test` builds first; a missing build is built here once).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (test/support/ is two levels below it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_PATH = join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** Fixtures of the CLI tests. */
export const CLI_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'cli');
/** The example application `make demo` scans. */
export const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'shop');

export interface CliOptions {
  /** Working directory; defaults to a fresh empty temporary directory (so no .kubeward.yaml is found). */
  cwd?: string;
  /** Written to the CLI's standard input, which is then closed. */
  stdin?: string;
  /** Environment overrides; `undefined` removes a variable. Colour variables are unset unless given. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface CliResult {
  /** Exit status, or null when the process was killed (timeout or signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Variables that change the CLI's behaviour and could leak in from the developer's shell or CI; tests
 * that want them pass them explicitly.
 */
const SCRUBBED = ['NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS', 'KUBEWARD_DEBUG', 'CI', 'TERM'] as const;

let built = false;

/** Builds dist/ once when dist/cli/main.js is missing (a fresh clone running a single test file). */
export function ensureBuilt(): void {
  if (built || existsSync(CLI_PATH)) {
    built = true;
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // tsc emits even when it reports type errors; whether main.js exists afterwards is what matters here.
  const r = spawnSync(npm, ['run', '--silent', 'build'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (!existsSync(CLI_PATH)) {
    throw new Error(`npm run build did not produce ${CLI_PATH}:\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  built = true;
}

let scratch: string | undefined;

/** An empty directory no test writes into: the default working directory. */
function emptyDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'kubeward-cli-cwd-'));
  return scratch;
}

process.on('exit', () => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs `node dist/cli/main.js ...args` and returns its exit code and output. */
export function kubeward(args: readonly string[], opts: CliOptions = {}): CliResult {
  ensureBuilt();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUBBED) delete env[k];
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], {
    cwd: opts.cwd ?? emptyDir(),
    env,
    input: opts.stdin ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Anything with node:test's `after` hook: a TestContext or a SuiteContext. */
export interface HasAfter {
  after(fn: () => void): void;
}

/** A temporary directory removed when the test `t` ends. */
export function tempDir(t: HasAfter, prefix = 'kubeward-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Path of a CLI fixture. */
export function fixture(name: string): string {
  return join(CLI_FIXTURES, name);
}

/** 1-based line numbers of the lines of `file` that contain `needle`. */
export function linesContaining(file: string, needle: string): number[] {
  const out: number[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      if (l.includes(needle)) out.push(i + 1);
    });
  return out;
}

/** A readable description of a CLI run, for assertion messages. */
export function describeRun(r: CliResult): string {
  const cut = (s: string): string => (s.length > 4000 ? `${s.slice(0, 4000)}…` : s);
  return `exit ${String(r.code)}\n--- stdout\n${cut(r.stdout)}\n--- stderr\n${cut(r.stderr)}`;
}

// ANSI CSI sequences (colours, cursor movement).
// eslint-disable-next-line no-control-regex
export const ANSI_ESCAPE = /\x1b\[[0-9;]*[A-Za-z]/;

/** The JSON report as documented in docs/output-formats.md (the fields the tests read). */
export interface JsonFinding {
  checkId: string;
  title: string;
  severity: string;
  message: string;
  resource: { apiVersion: string; kind: string; namespace?: string; name: string };
  location: { file: string; line: number };
  frameworks: { framework: string; id: string; name?: string }[];
  remediation: string;
  suppressed: boolean;
  suppression?: { source: string; reason: string; expires?: string };
}

export interface JsonReport {
  schemaVersion: string;
  tool: { name: string; version: string };
  target: string;
  findings: JsonFinding[];
  warnings: { file?: string; line?: number; message: string }[];
  summary: { total: number; suppressed: number; bySeverity: Record<string, number> };
}

/** Parses a JSON report, failing with the CLI's output when it is not JSON. */
export function parseReport(r: CliResult): JsonReport {
  try {
    return JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`standard output is not a JSON report\n${describeRun(r)}`);
  }
}

/** YYYY-MM-DD `days` from today (UTC); negative for the past. */
export function isoDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
