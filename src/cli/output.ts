import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { UserError } from '../core/errors.js';
import { OUTPUT_FORMATS, type OutputFormat, type Report } from '../report/report.js';
import { render } from '../report/render.js';

export function formatOption(formats: readonly string[] = OUTPUT_FORMATS): Option {
  return new Option('-f, --format <format>', 'output format').choices(formats).default('table');
}

export function outputOption(): Option {
  return new Option('-o, --output <file>', 'write the report to a file instead of standard output');
}

/** Colour only for a TTY, and never with NO_COLOR set (https://no-color.org) or when writing a file. */
export function useColor(toFile: boolean): boolean {
  if (toFile) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return process.stdout.isTTY === true;
}

/** Renders the report and writes it to `--output` or standard output. */
export function emitReport(
  report: Report,
  format: OutputFormat,
  output: string | undefined,
  cwd: string,
): void {
  const text = render(report, format, { color: useColor(output !== undefined) });
  writeText(text, output, cwd);
}

export function writeText(text: string, output: string | undefined, cwd: string): void {
  if (output === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(resolve(cwd, output), text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`--output: cannot write ${output} (${code})`);
  }
}

export function printWarnings(warnings: readonly { file?: string; line?: number; message: string }[]): void {
  for (const w of warnings) {
    const where = w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : '';
    process.stderr.write(`warning: ${where}${w.message}\n`);
  }
}
