import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** `KUBEWARD_REQUIRE_INTEGRATION=1` (set by .ci/run) turns every integration skip into a failure. */
export const REQUIRE_INTEGRATION = process.env.KUBEWARD_REQUIRE_INTEGRATION === '1';

/** True when `cmd` runs (exit status 0 for the probe arguments). */
export function commandWorks(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

/**
 * Gate for an integration suite that needs a real peer. Returns true when the suite may run. When the
 * peer is missing it skips with the suite name and reason, or fails when integration is required.
 */
export function integration(t: TestContext, suite: string, available: boolean, reason: string): boolean {
  if (available) return true;
  const msg = `integration suite "${suite}" skipped: ${reason}`;
  if (REQUIRE_INTEGRATION) throw new Error(`${msg} (KUBEWARD_REQUIRE_INTEGRATION=1 forbids skipping)`);
  console.log(`# ${msg}`);
  t.skip(msg);
  return false;
}
