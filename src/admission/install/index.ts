/**
 * `kubeward admission install`: the manifests (namespace, RBAC, Deployment, PDB, Service, TLS Secret,
 * webhook configurations) and the self-signed certificates they carry, as data the CLI prints as YAML.
 */
export { generateServingCerts, serviceDnsNames, type CertOptions, type ServingCerts } from './certs.js';
export {
  APP_NAME,
  installObjects,
  POLICIES_CONFIGMAP,
  SERVER_PORT,
  tlsSecret,
  WEBHOOK_RULES,
  WEBHOOK_TIMEOUT_SECONDS,
  webhookConfigurations,
  type InstallOptions,
} from './manifests.js';
export { toYamlStream } from './yaml.js';
