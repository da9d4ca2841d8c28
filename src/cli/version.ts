import { readFileSync } from 'node:fs';

/** Version from package.json; src/cli and dist/cli sit at the same depth below the package root. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
