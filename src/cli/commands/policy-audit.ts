// `kubeward policy audit`: one background-audit pass over the cluster's Pods and workloads with the same
// policies and core as the webhook; findings go through the usual gate and renderers (PolicyReport too).
import { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { UserError, type ScanWarning } from '../../core/errors.js';
import { summarize } from '../../core/finding.js';
import { gateFails, parseThreshold } from '../../core/gate.js';
import { KubeClient } from '../../k8s/client/client.js';
import type { ClusterConnection } from '../../k8s/client/connection.js';
import { inClusterConfig, isInCluster } from '../../k8s/client/in-cluster.js';
import { loadKubeConfig } from '../../k8s/client/kubeconfig.js';
import { auditCluster, auditReport } from '../../policy/audit/index.js';
import { buildPolicySet, loadPolicySet } from '../../policy/load/index.js';
import { renderPolicyReport } from '../../report/policyreport.js';
import { POLICY_OUTPUT_FORMATS, type OutputFormat, type Report } from '../../report/report.js';
import type { ExitCode } from '../exit.js';
import { emitReport, formatOption, outputOption, printWarnings, writeText } from '../output.js';
import { VERSION } from '../version.js';
import { openScanResults, resolvePolicyOptions, scanResultOptions } from './policy-options.js';

interface PolicyAuditFlags {
  kubeconfig?: string;
  context?: string;
  policies?: string[];
  pss?: string;
  format: OutputFormat;
  output?: string;
  failOn: string;
  includeOwned?: boolean;
  db?: string;
  cacheDir?: string;
}

/** `--kubeconfig`/`--context` as kubectl reads them; without either, in-cluster config inside a pod. */
export function clusterConnection(flags: { kubeconfig?: string; context?: string }): ClusterConnection {
  if (flags.kubeconfig === undefined && flags.context === undefined && isInCluster())
    return inClusterConfig();
  return loadKubeConfig({
    ...(flags.kubeconfig !== undefined ? { path: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
  });
}

export function policyAuditCommand(setExit: (code: ExitCode) => void): Command {
  return scanResultOptions(
    new Command('audit')
      .description('judge the Pods and workloads running in a cluster with the admission policies (one pass)')
      .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG, then ~/.kube/config)')
      .option('--context <name>', 'kubeconfig context (default current-context)')
      .option('--policies <paths...>', 'policy files or directories (VAP, ImagePolicy, PolicyException)')
      .option('--pss <level>', 'Pod Security level LEVEL[:VERSION] for namespaces without labels')
      .option('--include-owned', 'also judge ReplicaSets, Pods and Jobs that a listed controller owns'),
  )
    .addOption(formatOption(POLICY_OUTPUT_FORMATS))
    .addOption(outputOption())
    .option(
      '--fail-on <severity>',
      'exit 1 when an unsuppressed finding is at or above this severity (violations of denying policies are high)',
      'high',
    )
    .action(async (flags: PolicyAuditFlags, cmd: Command) => {
      const cwd = process.cwd();
      const threshold = parseThreshold(flags.failOn, '--fail-on');
      const config = loadConfig({ explicit: cmd.optsWithGlobals<{ config?: string }>().config, cwd });
      const { inputs, source } = resolvePolicyOptions(flags, config, cwd);
      const connection = clusterConnection(flags);
      const scans = await openScanResults(flags);
      const client = new KubeClient(connection);
      try {
        const now = new Date();
        // Workloads are judged as their pods will be, like `policy test`: a Deployment whose pods the
        // cluster would reject is a violation of the enforce level, not only a warning.
        const opts = {
          ...source,
          enforceWorkloads: true,
          now,
          ...(scans.source ? { imageDeps: { scanResults: scans.source } } : {}),
        };
        const policies = inputs.length ? loadPolicySet(inputs, opts) : buildPolicySet([], opts);
        const result = await auditCluster({
          client,
          set: policies.set,
          now,
          ...(flags.includeOwned ? { includeOwned: true } : {}),
        });
        if (result.listed === 0)
          throw new UserError(
            `cannot list anything in ${connection.origin}: ${result.errors[0]?.message ?? 'no kinds to list'}`,
          );
        const audit = auditReport(result);
        const warnings: ScanWarning[] = [
          ...policies.warnings,
          ...result.errors.map((e) => ({ message: `cannot list ${e.what}: ${e.message}` })),
        ];
        const report: Report = {
          tool: { name: 'kubeward', version: VERSION },
          target: 'policy audit',
          findings: audit.findings,
          rules: audit.rules,
          warnings,
          summary: summarize(audit.findings),
        };
        if (flags.format === 'policyreport') {
          // The PolicyReport objects have no place for warnings; stderr keeps them visible.
          printWarnings(warnings);
          writeText(renderPolicyReport(report, { now, passes: audit.passes }), flags.output, cwd);
        } else emitReport(report, flags.format, flags.output, cwd);
        setExit(gateFails(audit.findings, threshold) ? 1 : 0);
      } finally {
        await client.close();
        await scans.close();
      }
    });
}
