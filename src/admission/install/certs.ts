/**
 * A self-signed CA and a serving certificate for the webhook Service. node:crypto can make keys but not
 * X.509 certificates, so this shells out to `openssl` (present on every CI image and in Debian's base);
 * when it is missing the user gets one clear line saying so. Keys are ECDSA P-256, written to a private
 * temporary directory that is removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';

export interface ServingCerts {
  caCert: string;
  cert: string;
  key: string;
}

export interface CertOptions {
  /** DNS names the serving certificate is valid for (the Service's names). */
  dnsNames: readonly string[];
  days: number;
  /** Common name of the CA. */
  caName?: string;
  /** `openssl` binary (tests point this elsewhere). Default `openssl` on PATH. */
  openssl?: string;
}

/** The names a Service is reached by from the API server. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

export function generateServingCerts(opts: CertOptions): ServingCerts {
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 3650)
    throw new UserError('--cert-days must be a whole number of days between 1 and 3650');
  for (const n of opts.dnsNames)
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(n))
      throw new UserError(`invalid DNS name for the certificate: ${JSON.stringify(n)}`);
  const bin = opts.openssl ?? 'openssl';
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-certs-'));
  const run = (args: string[]): void => {
    try {
      execFileSync(bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT')
        throw new UserError(
          'openssl is required to generate the webhook certificate (install openssl, or see docs/admission.md to bring your own)',
        );
      const detail = (err.stderr?.toString('utf8') ?? err.message).trim().split('\n')[0] ?? '';
      throw new UserError(`openssl failed: ${detail}`);
    }
  };
  try {
    const days = String(opts.days);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      days,
      '-subj',
      `/CN=${opts.caName ?? 'kubeward-webhook-ca'}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    run([
      'req',
      ...ec,
      '-keyout',
      'tls.key',
      '-out',
      'tls.csr',
      '-subj',
      `/CN=${opts.dnsNames[0] ?? 'kubeward'}`,
    ]);
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        `subjectAltName=${opts.dnsNames.map((n) => `DNS:${n}`).join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    run([
      'x509',
      '-req',
      '-in',
      'tls.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'tls.crt',
      '-days',
      days,
      '-sha256',
      '-extfile',
      'ext.cnf',
    ]);
    return {
      caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
      key: readFileSync(join(dir, 'tls.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
