// `kubeward admission serve|install`: the webhook front door. `serve` wires policy sources (files, the
// cluster) into the evaluation core and the HTTPS server; `install` prints the manifests to deploy it.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { createAdmissionServer, stderrLogger } from '../../admission/server.js';
import { loadKeyPair } from '../../admission/tls.js';
import {
  APP_NAME,
  generateServingCerts,
  installObjects,
  serviceDnsNames,
  tlsSecret,
  toYamlStream,
  webhookConfigurations,
} from '../../admission/install/index.js';
import { loadConfig } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { inClusterConfig, isInCluster } from '../../k8s/client/in-cluster.js';
import { loadKubeConfig } from '../../k8s/client/kubeconfig.js';
import { KubeClient } from '../../k8s/client/client.js';
import {
  auditCluster,
  auditReport,
  renderAuditMetrics,
  startAuditLoop,
  type AuditLoop,
  type AuditSnapshot,
} from '../../policy/audit/index.js';
import { evaluateRequest, type PolicySet } from '../../policy/engine/index.js';
import {
  clusterPolicySource,
  loadPolicySet,
  watchPolicies,
  type ClusterPolicySource,
  type LoadedPolicies,
} from '../../policy/load/index.js';
import { VERSION } from '../version.js';
import { openScanResults, resolvePolicyOptions, scanResultOptions } from './policy-options.js';
import { parseDuration } from './registry-shared.js';

interface ServeFlags {
  listen: string;
  tlsCert: string;
  tlsKey: string;
  policies?: string[];
  pss?: string;
  kubeconfig?: string;
  enforceWorkloads?: boolean;
  budgetMs: string;
  db?: string;
  cacheDir?: string;
  auditInterval?: string;
}

interface InstallFlags {
  namespace: string;
  image: string;
  replicas: string;
  certDays: string;
  policies?: string[];
  pss?: string;
  auditInterval?: string;
  rotateCert?: boolean;
}

/** Budget for network work (inline scans, signature fetches) inside the API server's 5 s webhook timeout. */
const DEFAULT_BUDGET_MS = 4000;

function positiveInt(value: string, flag: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new UserError(`${flag}: "${value}" must be a whole number from 1 to ${max}`);
  return Number(value);
}

export function admissionCommand(): Command {
  const admission = new Command('admission').description(
    'the admission webhook: serve it, or print manifests to install it',
  );
  admission.addCommand(
    scanResultOptions(new Command('serve'))
      .description(
        'run the HTTPS admission webhook (POST /validate, /mutate; GET /healthz, /readyz, /metrics)',
      )
      .requiredOption('--tls-cert <file>', 'serving certificate (PEM; reloaded when it changes)')
      .requiredOption('--tls-key <file>', 'serving key (PEM; reloaded when it changes)')
      .option('--listen <addr>', 'address to listen on, host:port', ':8443')
      .option('--policies <paths...>', 'policy files or directories (watched and reloaded)')
      .option(
        '--pss <level>',
        'Pod Security level LEVEL[:VERSION] for namespaces whose labels are unknown or unset',
      )
      .option(
        '--kubeconfig <file>',
        'watch namespaces and VAP objects in this cluster (in-cluster config is used automatically)',
      )
      .option(
        '--enforce-workloads',
        'deny workloads whose pod template violates the enforce level (upstream only warns)',
      )
      .option('--budget-ms <ms>', 'time budget for network work per request', String(DEFAULT_BUDGET_MS))
      .option(
        '--audit-interval <duration>',
        'also audit existing Pods and workloads in the background every DURATION (e.g. 10m); needs cluster access',
      )
      .action(async (flags: ServeFlags, cmd: Command) => serve(flags, cmd)),
  );
  admission.addCommand(
    new Command('install')
      .description('print the YAML to deploy the webhook (kubectl apply -f -)')
      .option('--namespace <ns>', 'namespace to install into', 'kubeward')
      .option('--image <image>', 'kubeward image', `ghcr.io/kubeward/kubeward:${VERSION}`)
      .option('--replicas <n>', 'webhook replicas', '3')
      .option('--cert-days <n>', 'validity of the generated certificates in days', '365')
      .option('--policies <paths...>', 'policies the webhook will run (decides failurePolicy Fail vs Ignore)')
      .option('--pss <level>', 'default Pod Security level LEVEL[:VERSION] passed to the webhook')
      .option(
        '--audit-interval <duration>',
        'run the background audit every DURATION (grants list on Pods and workloads)',
      )
      .option(
        '--rotate-cert',
        'print only a new TLS Secret and the webhook configurations carrying its CA bundle',
      )
      .action((flags: InstallFlags, cmd: Command) => install(flags, cmd)),
  );
  return admission;
}

function install(flags: InstallFlags, cmd: Command): void {
  const cwd = process.cwd();
  const namespace = flags.namespace;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new UserError(`--namespace: "${namespace}" is not a valid namespace name`);
  if (!flags.image || /\s/.test(flags.image) || flags.image.length > 1024)
    throw new UserError('--image: must be an image reference');
  const replicas = positiveInt(flags.replicas, '--replicas', 100);
  if (flags.auditInterval !== undefined) parseDuration(flags.auditInterval, '--audit-interval');
  const days = positiveInt(flags.certDays, '--cert-days', 3650);
  const config = loadConfig({ explicit: cmd.optsWithGlobals<{ config?: string }>().config, cwd });
  const { inputs, source } = resolvePolicyOptions(flags, config, cwd);
  const { set } = loadPolicySet(inputs, source);
  const certs = generateServingCerts({ dnsNames: serviceDnsNames(APP_NAME, namespace), days });
  const base = { namespace, certs, enforcing: set.enforcing };
  const objects = flags.rotateCert
    ? [tlsSecret(base), ...webhookConfigurations(base)]
    : installObjects({
        ...base,
        image: flags.image,
        replicas,
        ...(flags.pss ? { pss: flags.pss } : {}),
        ...(flags.auditInterval ? { auditInterval: flags.auditInterval } : {}),
      });
  process.stdout.write(toYamlStream(objects));
}

async function serve(flags: ServeFlags, cmd: Command): Promise<void> {
  const cwd = process.cwd();
  const budgetMs = positiveInt(flags.budgetMs, '--budget-ms', 60_000);
  const auditIntervalMs =
    flags.auditInterval !== undefined ? parseDuration(flags.auditInterval, '--audit-interval') : undefined;
  const config = loadConfig({ explicit: cmd.optsWithGlobals<{ config?: string }>().config, cwd });
  const { inputs, source } = resolvePolicyOptions(flags, config, cwd);
  for (const [flag, file] of [
    ['--tls-cert', flags.tlsCert],
    ['--tls-key', flags.tlsKey],
  ] as const)
    if (!existsSync(file)) throw new UserError(`${flag}: file not found: ${file}`);
  // Checked before anything starts, so an unusable pair is one line and exit 2, not a half-started server.
  try {
    loadKeyPair(flags.tlsCert, flags.tlsKey);
  } catch (e) {
    throw new UserError(`--tls-cert/--tls-key: ${e instanceof Error ? e.message : String(e)}`);
  }
  const log = stderrLogger;

  let cluster: ClusterPolicySource | undefined;
  const connection = flags.kubeconfig
    ? loadKubeConfig({ path: flags.kubeconfig })
    : isInCluster()
      ? inClusterConfig()
      : undefined;
  if (auditIntervalMs !== undefined && !connection)
    throw new UserError('--audit-interval needs cluster access: give --kubeconfig or run in a pod');
  const scans = await openScanResults(flags);
  const opts = {
    ...source,
    enforceWorkloads: flags.enforceWorkloads === true,
    extraResources: () => cluster?.vapResources() ?? [],
    ...(scans.source ? { imageDeps: { scanResults: scans.source } } : {}),
  };
  let loaded: LoadedPolicies = loadPolicySet(inputs, opts);
  let current: PolicySet = loaded.set;
  const accept = (next: LoadedPolicies, why: string): void => {
    loaded = next;
    current = next.set;
    log({ level: 'info', msg: why, policies: next.set.describe, exceptions: next.set.exceptions.length });
    for (const w of next.warnings)
      log({ level: 'warn', msg: 'policy warning', file: w.file, line: w.line, warning: w.message });
  };
  const reloadFailed = (err: Error): void =>
    log({
      level: 'error',
      msg: 'policy reload failed; keeping the last good policies',
      error: err instanceof UserError ? err.oneLine() : err.message,
    });
  accept(loaded, 'policies loaded');
  log({
    level: 'info',
    msg: 'scan results',
    store: scans.describe.store ?? null,
    inlineScan: scans.describe.inlineScan,
  });

  if (connection) {
    cluster = clusterPolicySource({
      connection,
      watchVap: source.vap !== undefined,
      onPolicies: () => {
        try {
          accept(loadPolicySet(inputs, opts), 'policies reloaded from the cluster');
        } catch (e) {
          reloadFailed(e instanceof Error ? e : new Error(String(e)));
        }
      },
      onError: (err) => log({ level: 'warn', msg: 'cluster watch problem', error: err.message }),
    });
    log({ level: 'info', msg: 'watching the cluster', origin: connection.origin });
  }
  const watcher = inputs.length
    ? watchPolicies(inputs, (_set, next) => accept(next, 'policies reloaded'), reloadFailed, opts)
    : undefined;

  const namespaceLabels = (ns: string): Record<string, string> | undefined =>
    cluster?.namespaceLabels(ns) ?? loaded.namespaces.get(ns);
  let server;
  try {
    server = createAdmissionServer({
      tlsCertFile: flags.tlsCert,
      tlsKeyFile: flags.tlsKey,
      logger: log,
      // Until the cluster informers have listed once, namespace labels are unknown: not ready.
      ready: () => cluster?.synced() ?? true,
      // Answer (with our own message) before the API server's 5 s webhook timeout would.
      evaluateTimeoutMs: budgetMs + 500,
      evaluate: (request) =>
        evaluateRequest(request, current, {
          now: new Date(),
          namespaceLabels,
          deadline: Date.now() + budgetMs,
        }),
    });
  } catch (e) {
    watcher?.close();
    await cluster?.stop();
    await scans.close();
    throw new UserError(`--tls-cert/--tls-key: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    await server.listen(flags.listen);
  } catch (e) {
    watcher?.close();
    await cluster?.stop();
    await scans.close();
    throw new UserError(`--listen ${flags.listen}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let audit: AuditLoop | undefined;
  let auditClient: KubeClient | undefined;
  if (auditIntervalMs !== undefined && connection) {
    const client = (auditClient = new KubeClient(connection));
    let latest: AuditSnapshot | undefined;
    server.metrics.addCollector(() => renderAuditMetrics(latest));
    // Off the request path: passes run on their own timer against the policies in force at that moment.
    audit = startAuditLoop({
      intervalMs: auditIntervalMs,
      pass: async (signal) => {
        const result = await auditCluster({ client, set: current, signal, budgetMs });
        return { result, report: auditReport(result) };
      },
      onPass: (snapshot) => {
        latest = snapshot;
        const { result, report } = snapshot;
        const violations: Record<string, number> = {};
        for (const [policy, c] of report.policies) if (c.violating > 0) violations[policy] = c.violating;
        log({
          level: 'info',
          msg: 'audit pass',
          objects: result.objects.length,
          owned: result.owned,
          findings: report.findings.filter((f) => !f.suppressed).length,
          violations,
          listErrors: result.errors.map((e) => `${e.what}: ${e.message}`),
          durationMs: result.durationMs,
        });
      },
      onError: (err) => log({ level: 'error', msg: 'audit pass failed', error: err.message }),
    });
    log({ level: 'info', msg: 'background audit started', intervalMs: auditIntervalMs });
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log({ level: 'info', msg: 'shutting down', signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  watcher?.close();
  await audit?.stop();
  await auditClient?.close();
  await server.close(5_000);
  await cluster?.stop();
  await scans.close();
  log({ level: 'info', msg: 'stopped' });
}
