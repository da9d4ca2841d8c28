/** Parsing and validation of ValidatingAdmissionPolicyBinding objects (admissionregistration validation.go). */
import type { KubeObject } from '../../admission/types.js';
import type { PolicyAction } from '../engine/types.js';
import { parseMatchResources } from './parse-match.js';
import { BINDING_KIND, clip, header, origin, type VapInput } from './reader.js';
import type { ParamRef, VapBinding } from './types.js';

const ACTIONS = ['Deny', 'Warn', 'Audit'] as const;

export function parseBinding(input: VapInput): VapBinding {
  const { reader: r, spec: rawSpec } = header(input, BINDING_KIND);
  const spec = r.obj(rawSpec, ['spec'], ['policyName', 'paramRef', 'matchResources', 'validationActions']);
  const policyName = r.reqStr(spec.policyName, ['spec', 'policyName']);

  const actionsPath = ['spec', 'validationActions'];
  const raw = r.list(spec.validationActions, actionsPath);
  if (raw.length === 0) r.fail(actionsPath, 'Required value: must contain at least one value');
  const actions: PolicyAction[] = [];
  raw.forEach((a, i) => {
    const action = r.oneOf(a, [...actionsPath, i], ACTIONS);
    if (actions.includes(action)) r.fail([...actionsPath, i], `Duplicate value: "${action}"`);
    actions.push(action);
  });
  if (actions.includes('Deny') && actions.includes('Warn'))
    r.fail(
      actionsPath,
      'Invalid value: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    );

  const binding: VapBinding = {
    name: r.name,
    apiVersion: (input.object as KubeObject).apiVersion as string,
    policyName,
    validationActions: actions,
    origin: origin(input),
  };

  const pr = r.optObj(
    spec.paramRef,
    ['spec', 'paramRef'],
    ['name', 'namespace', 'selector', 'parameterNotFoundAction'],
  );
  if (pr) {
    const p = ['spec', 'paramRef'];
    const name = r.str(pr.name, [...p, 'name'], false);
    const hasSelector = pr.selector !== undefined && pr.selector !== null;
    if (name !== undefined && hasSelector) r.fail(p, 'name and selector are mutually exclusive');
    if (name === undefined && !hasSelector) r.fail(p, 'one of name or selector must be specified');
    const ref: ParamRef = {
      parameterNotFoundAction: r.oneOf(pr.parameterNotFoundAction, [...p, 'parameterNotFoundAction'], [
        'Allow',
        'Deny',
      ] as const),
    };
    if (name !== undefined) ref.name = name;
    const ns = r.str(pr.namespace, [...p, 'namespace'], false);
    if (ns !== undefined) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63)
        r.fail(
          [...p, 'namespace'],
          `Invalid value: "${clip(ns)}": must be a valid namespace name (RFC 1123 label)`,
        );
      ref.namespace = ns;
    }
    if (hasSelector) ref.selector = r.selector(pr.selector, [...p, 'selector']);
    binding.paramRef = ref;
  }
  if (spec.matchResources !== undefined && spec.matchResources !== null) {
    binding.matchResources = parseMatchResources(r, spec.matchResources, ['spec', 'matchResources'], false);
  }
  return binding;
}
