import { readFileSync, statSync } from 'node:fs';
import { PackageURL } from 'packageurl-js';
import { UserError } from '../../core/errors.js';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  /** Vulnerability name (CVE, GHSA, OSV id) and its aliases. */
  vulnerability: string[];
  /** Products (purls or image references, `@digest` included) the statement is about. */
  products: string[];
  /** Subcomponents (package purls) inside those products; empty means the product itself. */
  subcomponents: string[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  /** Document (file) the statement came from, for messages. */
  source: string;
  timestamp?: string;
}

const STATUSES = new Set<VexStatus>(['not_affected', 'affected', 'fixed', 'under_investigation']);

/** Reads an OpenVEX (v0.2.0) JSON document into flat statements. Invalid documents are user errors. */
export function readOpenVex(file: string): VexStatement[] {
  let doc: unknown;
  try {
    if (statSync(file).size > 64 * 1024 * 1024)
      throw new UserError('VEX document is larger than 64 MiB', { file });
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof SyntaxError) throw new UserError('VEX document is not valid JSON', { file });
    throw new UserError(`cannot read VEX document (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      file,
    });
  }
  return parseOpenVex(doc, file);
}

export function parseOpenVex(doc: unknown, source: string): VexStatement[] {
  const d = doc as { '@context'?: unknown; statements?: unknown; timestamp?: unknown };
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d['@context'] !== 'string' ||
    !d['@context'].includes('openvex')
  ) {
    throw new UserError('not an OpenVEX document (missing "@context": "https://openvex.dev/ns/...")', {
      file: source,
    });
  }
  if (!Array.isArray(d.statements))
    throw new UserError('OpenVEX document has no statements', { file: source });
  return d.statements.map((raw: unknown, i: number) => {
    const s = raw as {
      vulnerability?: { name?: unknown; '@id'?: unknown; aliases?: unknown } | string;
      products?: Array<{ '@id'?: unknown; subcomponents?: Array<{ '@id'?: unknown }> } | string>;
      status?: unknown;
      justification?: unknown;
      impact_statement?: unknown;
      timestamp?: unknown;
    };
    const v = s.vulnerability;
    const names =
      typeof v === 'string'
        ? [v]
        : [v?.name, v?.['@id'], ...(Array.isArray(v?.aliases) ? v.aliases : [])].filter(
            (x): x is string => typeof x === 'string',
          );
    if (names.length === 0)
      throw new UserError(`OpenVEX statement ${i + 1} has no vulnerability name`, { file: source });
    if (typeof s.status !== 'string' || !STATUSES.has(s.status as VexStatus)) {
      throw new UserError(`OpenVEX statement ${i + 1} has an invalid status "${String(s.status)}"`, {
        file: source,
      });
    }
    const products: string[] = [];
    const subcomponents: string[] = [];
    for (const p of s.products ?? []) {
      if (typeof p === 'string') products.push(p);
      else {
        if (typeof p['@id'] === 'string') products.push(p['@id']);
        for (const sc of p.subcomponents ?? [])
          if (typeof sc['@id'] === 'string') subcomponents.push(sc['@id']);
      }
    }
    const st: VexStatement = {
      vulnerability: names,
      products,
      subcomponents,
      status: s.status as VexStatus,
      source,
    };
    if (typeof s.justification === 'string') st.justification = s.justification;
    if (typeof s.impact_statement === 'string') st.impactStatement = s.impact_statement;
    const ts =
      typeof s.timestamp === 'string'
        ? s.timestamp
        : typeof d.timestamp === 'string'
          ? d.timestamp
          : undefined;
    if (ts) st.timestamp = ts;
    return st;
  });
}

/** What a vulnerability finding is about, for VEX matching. */
export interface VexSubject {
  vulnerabilityIds: string[];
  packagePurl: string;
  /** Image reference and manifest digest, when the package was found in an image. */
  image?: { name: string; digest?: string };
}

/**
 * The statement that decides a finding, if any: the latest (by timestamp, then document order) statement
 * naming one of its ids and matching its package (as product or subcomponent) and, when products are images,
 * its image. Purls match on type/namespace/name/version; qualifiers in the statement must be present.
 */
export function vexFor(subject: VexSubject, statements: readonly VexStatement[]): VexStatement | undefined {
  const ids = new Set(subject.vulnerabilityIds.map((x) => x.toUpperCase()));
  let best: VexStatement | undefined;
  for (const st of statements) {
    if (!st.vulnerability.some((v) => ids.has(v.toUpperCase()))) continue;
    const pkgMatch =
      st.subcomponents.length > 0
        ? st.subcomponents.some((sc) => purlMatches(sc, subject.packagePurl)) &&
          st.products.some((p) => productMatches(p, subject))
        : st.products.some((p) => purlMatches(p, subject.packagePurl));
    if (!pkgMatch) continue;
    if (!best || (st.timestamp ?? '') >= (best.timestamp ?? '')) best = st;
  }
  return best;
}

function productMatches(product: string, subject: VexSubject): boolean {
  if (product.startsWith('pkg:oci/') || !product.startsWith('pkg:')) {
    if (!subject.image) return false;
    const digest = /@(sha256:[a-f0-9]{64})/.exec(decodeURIComponent(product))?.[1];
    if (digest) return digest === subject.image.digest;
    return product === subject.image.name || subject.image.name.startsWith(product + ':');
  }
  return purlMatches(product, subject.packagePurl);
}

export function purlMatches(pattern: string, purl: string): boolean {
  let a: PackageURL;
  let b: PackageURL;
  try {
    a = PackageURL.fromString(pattern);
    b = PackageURL.fromString(purl);
  } catch {
    return pattern === purl;
  }
  if (a.type !== b.type || (a.namespace ?? '') !== (b.namespace ?? '') || a.name !== b.name) return false;
  if (a.version && a.version !== b.version) return false;
  for (const [k, v] of Object.entries(a.qualifiers ?? {})) if (b.qualifiers?.[k] !== v) return false;
  return true;
}
