import type { CheckMeta, FrameworkMapping } from '../../core/finding.js';
import type { Inventory } from '../inventory.js';

/** A hit on the image configuration; `line` is 1-based into the image history when it points at a step. */
export interface ConfigHit {
  message: string;
  /** 1-based index into the image history (the build step), or 0 for the config itself. */
  historyStep: number;
}

export interface ImageConfigCheck extends CheckMeta {
  category: 'image-config';
  check(inv: Inventory): ConfigHit[];
}

const docker = (id: string, name: string): FrameworkMapping => ({ framework: 'cis-docker', id, name });
const mitre = (id: string, name: string): FrameworkMapping => ({ framework: 'mitre-attack', id, name });

/** Names and values that look like credentials (env names, label keys, build args). */
const SECRET_NAME =
  /(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)/i;
const SECRET_VALUE = [
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/,
  /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/, // Slack
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bsk_live_[A-Za-z0-9]{20,}\b/, // Stripe
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API key
  /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i, // credentials in a URL
];
/** Values that are obviously not secrets even under a secret-looking name. */
const PLACEHOLDER = /^(|true|false|yes|no|none|null|changeme|\$\{?[A-Z_]+\}?|\/.*|[0-9]{1,5})$/i;

function looksSecret(name: string, value: string): boolean {
  if (SECRET_VALUE.some((re) => re.test(value))) return true;
  return (
    SECRET_NAME.test(name) &&
    !PLACEHOLDER.test(value.trim()) &&
    !/_(file|path|dir|url|host|port|user(name)?)$/i.test(name)
  );
}

const historySteps = (inv: Inventory): Array<{ step: number; cmd: string }> =>
  (inv.config?.history ?? []).map((h, i) => ({ step: i + 1, cmd: h.created_by ?? '' }));

export const IMAGE_CONFIG_CHECKS: ImageConfigCheck[] = [
  {
    id: 'KW-DKR-001',
    category: 'image-config',
    title: 'Image runs as root',
    severity: 'medium',
    description:
      'Without a USER instruction (or with USER root/0) every container of this image runs as root unless the pod overrides it.',
    remediation: 'Add a non-root USER (numeric UID, e.g. USER 10001) to the Dockerfile.',
    frameworks: [
      docker('4.1', 'Ensure that a user for the container has been created'),
      mitre('T1611', 'Escape to Host'),
    ],
    check(inv) {
      const user = (inv.config?.config?.User ?? '').trim();
      const name = user.split(':')[0] ?? '';
      if (name === '' || name === 'root' || name === '0')
        return [
          { message: user ? `image user is ${user}` : 'image has no USER; it runs as root', historyStep: 0 },
        ];
      return [];
    },
  },
  {
    id: 'KW-DKR-002',
    category: 'image-config',
    title: 'Secret in image environment, labels or build history',
    severity: 'high',
    description:
      'Values baked into ENV, LABEL or RUN/ARG build steps are readable by anyone who can pull the image.',
    remediation:
      'Remove the secret from the Dockerfile; pass it at runtime from a Kubernetes Secret or use build secrets (RUN --mount=type=secret).',
    frameworks: [
      docker('4.10', 'Ensure secrets are not stored in Dockerfiles'),
      mitre('T1552', 'Unsecured Credentials'),
    ],
    check(inv) {
      const hits: ConfigHit[] = [];
      for (const env of inv.config?.config?.Env ?? []) {
        const eq = env.indexOf('=');
        const k = eq === -1 ? env : env.slice(0, eq);
        if (looksSecret(k, eq === -1 ? '' : env.slice(eq + 1)))
          hits.push({
            message: `environment variable ${k} holds a credential (value redacted)`,
            historyStep: 0,
          });
      }
      for (const [k, v] of Object.entries(inv.config?.config?.Labels ?? {})) {
        if (looksSecret(k, v))
          hits.push({ message: `label ${k} holds a credential (value redacted)`, historyStep: 0 });
      }
      for (const { step, cmd } of historySteps(inv)) {
        if (SECRET_VALUE.some((re) => re.test(cmd)))
          hits.push({
            message: `build step ${step} contains a credential (value redacted)`,
            historyStep: step,
          });
      }
      return hits;
    },
  },
  {
    id: 'KW-DKR-003',
    category: 'image-config',
    title: 'SSH server in the image',
    severity: 'medium',
    description:
      'An SSH daemon in a container is an unmanaged remote-access path that bypasses Kubernetes RBAC and audit.',
    remediation: 'Remove openssh-server; use kubectl exec / debug containers for access.',
    frameworks: [
      docker('5.6', 'Ensure sshd is not run within containers'),
      mitre('T1021.004', 'Remote Services: SSH'),
    ],
    check(inv) {
      const hits: ConfigHit[] = [];
      if (inv.packages.some((p) => p.name === 'openssh-server' || p.name === 'openssh'))
        hits.push({ message: 'the openssh server package is installed', historyStep: 0 });
      const entry = [...(inv.config?.config?.Entrypoint ?? []), ...(inv.config?.config?.Cmd ?? [])].join(' ');
      if (/\bsshd\b/.test(entry)) hits.push({ message: 'the entrypoint starts sshd', historyStep: 0 });
      return hits;
    },
  },
  {
    id: 'KW-DKR-004',
    category: 'image-config',
    title: 'Entrypoint is only a shell',
    severity: 'low',
    description:
      'An image whose entrypoint/command is a bare shell has no defined workload and invites interactive use.',
    remediation: 'Set ENTRYPOINT/CMD to the application binary (exec form).',
    frameworks: [mitre('T1059.004', 'Command and Scripting Interpreter: Unix Shell')],
    check(inv) {
      const argv = [...(inv.config?.config?.Entrypoint ?? []), ...(inv.config?.config?.Cmd ?? [])];
      if (argv.length === 1 && /^(\/(usr\/)?bin\/)?(ba|da|z|k|a)?sh$/.test(argv[0] ?? ''))
        return [{ message: `entrypoint is just ${argv[0]}`, historyStep: 0 }];
      return [];
    },
  },
  {
    id: 'KW-DKR-005',
    category: 'image-config',
    title: 'No HEALTHCHECK instruction',
    severity: 'info',
    description:
      'Docker and other runtimes use HEALTHCHECK to detect a hung container; Kubernetes uses probes instead, so this is informational.',
    remediation: 'Add a HEALTHCHECK, or make sure the workload defines liveness/readiness probes.',
    frameworks: [docker('4.6', 'Ensure that HEALTHCHECK instructions have been added to container images')],
    check(inv) {
      const test = inv.config?.config?.Healthcheck?.Test;
      if (!test || test.length === 0 || test[0] === 'NONE')
        return [{ message: 'image defines no HEALTHCHECK', historyStep: 0 }];
      return [];
    },
  },
  {
    id: 'KW-DKR-006',
    category: 'image-config',
    title: 'ADD from a remote URL',
    severity: 'medium',
    description:
      'ADD <url> downloads content at build time without integrity checks; the image then contains whatever the server returned.',
    remediation: 'Download with a checksum-verified RUN step, or COPY a vendored file.',
    frameworks: [
      docker('4.9', 'Ensure that COPY is used instead of ADD in Dockerfiles'),
      mitre('T1195', 'Supply Chain Compromise'),
    ],
    check(inv) {
      return historySteps(inv)
        .filter(({ cmd }) => /\bADD\b(\s+--[a-z-]+(=\S+)?)*\s+https?:\/\//i.test(cmd))
        .map(({ step, cmd }) => ({
          message: `build step ${step} adds a remote URL: ${cmd.slice(0, 120)}`,
          historyStep: step,
        }));
    },
  },
  {
    id: 'KW-DKR-007',
    category: 'image-config',
    title: 'setuid/setgid binary added by the image',
    severity: 'low',
    description:
      "setuid/setgid binaries let a process gain the file owner's privileges; each one is a privilege-escalation path.",
    remediation:
      'Remove the binary or clear the bit in the Dockerfile (chmod a-s FILE), and set allowPrivilegeEscalation: false.',
    frameworks: [
      docker('4.8', 'Ensure setuid and setgid permissions are removed'),
      mitre('T1548.001', 'Abuse Elevation Control Mechanism: Setuid and Setgid'),
    ],
    check(inv) {
      return inv.setuid.map((s) => ({
        message: `/${s.path} has ${s.mode & 0o4000 ? 'setuid' : 'setgid'} (mode ${(s.mode & 0o7777).toString(8)}), added in layer ${s.layer}`,
        historyStep: 0,
      }));
    },
  },
];
