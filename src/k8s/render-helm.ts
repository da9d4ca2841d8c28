import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { RenderedSource } from './load.js';

/** Bounds on an external renderer (helm, kubectl kustomize): wall time and captured output. */
export const RENDER_TIMEOUT_MS = 60_000;
export const RENDER_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface HelmRenderOptions {
  /** Absolute paths of values files, passed in order as `--values`. */
  values: readonly string[];
  /** The helm executable (default `helm` from PATH). */
  command?: string;
  /** Release name for `.Release.Name`; helm's own default for `helm template` is `release-name`. */
  release?: string;
  timeoutMs?: number;
}

/** A directory holding Chart.yaml is a Helm chart. */
export function isHelmChart(dir: string): boolean {
  return existsSync(join(dir, 'Chart.yaml'));
}

/**
 * Renders the chart with `helm template <release> <dir> --values F...` and splits the output per template.
 * `dir` is absolute; `shown` is the chart directory as the user sees it, used to name template files.
 */
export function renderHelmChart(dir: string, shown: string, opts: HelmRenderOptions): RenderedSource {
  const args = ['template', opts.release ?? 'release-name', dir];
  for (const v of opts.values) args.push('--values', v);
  const output = runRenderer(opts.command ?? 'helm', args, {
    what: 'helm template',
    where: shown,
    timeoutMs: opts.timeoutMs ?? RENDER_TIMEOUT_MS,
    missing: `${shown} is a Helm chart and rendering it requires helm, which was not found (install helm or pre-render with \`helm template\`)`,
  });
  return { parts: splitHelmOutput(output, shown) };
}

/**
 * Splits `helm template` output at its `# Source: <chart>/<path>` comments. Each part is attributed to
 * the template inside the chart directory (`<shown>/<path>`; subcharts land under `charts/<name>/...`).
 *
 * Limitation: lines are positions within the *rendered* part (line 1 is the first line after the
 * `# Source:` comment), not within the template. Helm's output carries no mapping back to template lines;
 * for templates without conditionals or `include`s above a field the two coincide, otherwise they are
 * approximate. A template that renders several documents gives several parts for the same file.
 */
export function splitHelmOutput(output: string, shown: string): RenderedSource['parts'] {
  const parts: Array<{ file: string; lines: string[] }> = [];
  let current: { file: string; lines: string[] } = { file: shown, lines: [] };
  parts.push(current);
  for (const line of output.split('\n')) {
    const m = /^# Source: (.+?)\s*$/.exec(line);
    if (!m?.[1]) {
      current.lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      continue;
    }
    // The `---` that precedes this comment separates documents; it belongs to neither part.
    if (current.lines[current.lines.length - 1] === '---') current.lines.pop();
    current = { file: templateFile(shown, m[1]), lines: [] };
    parts.push(current);
  }
  return parts
    .filter((p) => p.lines.some((l) => l.trim() !== '' && l.trim() !== '---'))
    .map((p) => ({ file: p.file, text: p.lines.join('\n') }));
}

/** `mychart/templates/a.yaml` → `<shown>/templates/a.yaml`: the chart name is the chart directory. */
function templateFile(shown: string, source: string): string {
  const slash = source.indexOf('/');
  return join(shown, slash === -1 ? source : source.slice(slash + 1));
}

export interface RunOptions {
  /** Command as named in messages, e.g. `helm template`. */
  what: string;
  /** File or directory the rendering is about. */
  where: string;
  timeoutMs: number;
  /** Message when the executable does not exist. */
  missing: string;
}

/** Runs a renderer without a shell, bounded in time and output; failures become UserErrors. */
export function runRenderer(command: string, args: string[], opts: RunOptions): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: RENDER_MAX_OUTPUT_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & {
      status?: number | null;
      signal?: string | null;
      stderr?: unknown;
    };
    const where = { file: opts.where };
    if (err.code === 'ENOENT') throw new UserError(opts.missing);
    if (err.code === 'EACCES') throw new UserError(`${command} is not executable (${opts.what})`, where);
    if (err.code === 'ENOBUFS') {
      throw new UserError(
        `${opts.what} produced more than ${RENDER_MAX_OUTPUT_BYTES >> 20} MiB of output`,
        where,
      );
    }
    if (err.code === 'ETIMEDOUT' || (err.signal && err.status === null)) {
      throw new UserError(`${opts.what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s`, where);
    }
    const stderr =
      typeof err.stderr === 'string' ? err.stderr : Buffer.isBuffer(err.stderr) ? err.stderr.toString() : '';
    throw new UserError(
      `${opts.what} failed: ${firstErrorLine(stderr) || `exit status ${String(err.status)}`}`,
      where,
    );
  }
}

/** First meaningful stderr line, without helm's `Error: ` prefix or klog's framing (kubectl). */
export function firstErrorLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
  const klog = /^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] .*?err="((?:[^"\\]|\\.)*)"/.exec(line);
  const text = klog?.[1] !== undefined ? klog[1].replace(/\\"/g, '"') : line;
  return text.replace(/^(Error|error): /, '').trim();
}
