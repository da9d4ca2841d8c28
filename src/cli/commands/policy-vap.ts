// Wires the ValidatingAdmissionPolicy family (src/policy/vap) into policy loading for the front doors.
import type { VapCompiler } from '../../policy/load/index.js';
import { compileVap } from '../../policy/vap/index.js';

export function vapCompiler(): VapCompiler {
  return ({ policies, bindings, params }) => compileVap({ policies, bindings, params });
}
