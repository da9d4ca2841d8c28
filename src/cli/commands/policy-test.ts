// `kubeward policy test PATH...`: every manifest object is judged as a CREATE AdmissionRequest by the same
// core the webhook runs, so a pipeline rejects exactly what the cluster would. Workload pod templates are
// judged as their pods will be (enforceWorkloads), because the cluster would reject those pods later.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { UserError, type ScanWarning } from '../../core/errors.js';
import { summarize, type CheckMeta, type Finding } from '../../core/finding.js';
import { gateFails, parseThreshold } from '../../core/gate.js';
import { loadManifests } from '../../k8s/load.js';
import { sourceRenderer } from '../../k8s/render-sources.js';
import { decisionFindings, evaluateRequest, manifestRequest } from '../../policy/engine/index.js';
import { buildPolicySet, loadPolicySet } from '../../policy/load/index.js';
import { POLICY_OUTPUT_FORMATS, type OutputFormat } from '../../report/report.js';
import type { ExitCode } from '../exit.js';
import { emitReport, formatOption, outputOption } from '../output.js';
import { VERSION } from '../version.js';
import { policyAuditCommand } from './policy-audit.js';
import { openScanResults, resolvePolicyOptions, scanResultOptions } from './policy-options.js';

interface PolicyTestFlags {
  policies?: string[];
  pss?: string;
  format: OutputFormat;
  output?: string;
  failOn: string;
  db?: string;
  cacheDir?: string;
}

export function policyCommand(setExit: (code: ExitCode) => void): Command {
  const policy = new Command('policy').description('admission policies: test manifests against them in CI');
  const test = scanResultOptions(
    new Command('test')
      .description('judge manifests as the admission webhook would (each object as a CREATE request)')
      .argument('<paths...>', 'manifest files, directories, or - for standard input')
      .option('--policies <paths...>', 'policy files or directories (VAP, ImagePolicy, PolicyException)')
      .option('--pss <level>', 'Pod Security level LEVEL[:VERSION] for namespaces without labels'),
  );
  policy.addCommand(
    test
      .addOption(formatOption(POLICY_OUTPUT_FORMATS))
      .addOption(outputOption())
      .option(
        '--fail-on <severity>',
        'exit 1 when an unsuppressed finding is at or above this severity (denials are high)',
        'high',
      )
      .action(async (paths: string[], flags: PolicyTestFlags, cmd: Command) => {
        const cwd = process.cwd();
        const threshold = parseThreshold(flags.failOn, '--fail-on');
        const config = loadConfig({ explicit: cmd.optsWithGlobals<{ config?: string }>().config, cwd });
        const { inputs, source } = resolvePolicyOptions(flags, config, cwd);
        const now = new Date();
        const scans = await openScanResults(flags);
        const opts = {
          ...source,
          enforceWorkloads: true,
          now,
          ...(scans.source ? { imageDeps: { scanResults: scans.source } } : {}),
        };
        try {
          const policies = inputs.length
            ? loadPolicySet(inputs, opts)
            : { ...buildPolicySet([], opts), files: 0 };
          const loaded = loadManifests(paths, {
            cwd,
            readStdin,
            render: sourceRenderer({ helmValues: [] }),
          });
          // Namespaces among the manifests decide PSS levels like the cluster's would; policy-dir ones too.
          const namespaces = new Map(policies.namespaces);
          for (const r of loaded.resources) {
            const o = r.object;
            if (o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name)
              namespaces.set(o.metadata.name, { ...(o.metadata.labels ?? {}) });
          }
          const findings: Finding[] = [];
          const rules = new Map<string, CheckMeta>();
          const warnings: ScanWarning[] = [...loaded.warnings, ...policies.warnings];
          const expiredSeen = new Set<string>();
          let i = 0;
          for (const r of loaded.resources) {
            if (r.object.apiVersion.startsWith('kubeward.io/')) continue;
            const request = manifestRequest(r.object, `policy-test-${++i}`);
            const decision = await evaluateRequest(request, policies.set, {
              now,
              dryRun: true,
              namespaceLabels: (ns) => namespaces.get(ns),
            });
            const out = decisionFindings(r, decision);
            findings.push(...out.findings);
            for (const rule of out.rules) rules.set(rule.id, rule);
            for (const e of decision.expiredExceptions) {
              const key = `${e.exception}\0${r.file}:${r.line}`;
              if (expiredSeen.has(key)) continue;
              expiredSeen.add(key);
              warnings.push({
                file: r.file,
                line: r.line,
                message: `PolicyException "${e.exception}" expired on ${e.expires}; ${e.policy} ${e.control} applies again`,
              });
            }
          }
          emitReport(
            {
              tool: { name: 'kubeward', version: VERSION },
              target: 'policy test',
              findings,
              rules: [...rules.values()],
              warnings,
              summary: summarize(findings),
            },
            flags.format,
            flags.output,
            cwd,
          );
          setExit(gateFails(findings, threshold) ? 1 : 0);
        } finally {
          await scans.close();
        }
      }),
  );
  policy.addCommand(policyAuditCommand(setExit));
  return policy;
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    throw new UserError('cannot read standard input');
  }
}
