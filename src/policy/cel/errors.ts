/** A CEL expression that failed to parse/type-check, or uses a function kubeward does not support. */
export class CelCompileError extends Error {
  override readonly name = 'CelCompileError';
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`CEL expression ${quoteForMessage(expression)}: ${reason}`);
  }
}

/** A runtime error (no such key, type mismatch, cost/iteration limit exceeded, division by zero...). */
export class CelEvalError extends Error {
  override readonly name = 'CelEvalError';
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`CEL expression ${quoteForMessage(expression)} failed: ${reason}`);
  }
}

/** Error messages stay one short line even for a 5,000-character expression. */
function quoteForMessage(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine);
}

/** The library's messages carry a multi-line source excerpt (`> 1 | ...`); we keep only the first line. */
export function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  return line.trim();
}
