import { atLeast, type Severity } from '../../core/severity.js';
import type { FindingsDiff, StoredFinding } from '../../store/index.js';
import type { EventFinding, EventImage, FixedFindingEvent, NewFindingEvent } from '../events/event.js';

/** Which finding changes become events. The default follows the issue: new critical, new KEV, fixed. */
export interface EventPolicy {
  /** New findings at or above this severity are events (default critical). KEV findings always are. */
  minSeverity: Severity;
}

export const DEFAULT_EVENT_POLICY: EventPolicy = { minSeverity: 'critical' };

export function eventFinding(f: StoredFinding): EventFinding {
  return {
    id: f.advisoryId,
    severity: f.severity,
    package: f.packageName,
    version: f.packageVersion,
    ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
    kev: f.kev,
    title: f.title ?? f.advisoryId,
  };
}

function reasonsFor(f: StoredFinding, policy: EventPolicy): NewFindingEvent['reasons'] {
  const reasons: NewFindingEvent['reasons'] = [];
  if (f.severity === 'critical' && atLeast(f.severity, policy.minSeverity)) reasons.push('critical');
  else if (atLeast(f.severity, policy.minSeverity)) reasons.push('severity');
  if (f.kev) reasons.push('kev');
  return reasons;
}

/**
 * Events for one image's finding changes: appeared findings that pass the policy become `finding.new`;
 * disappeared findings that would have passed it become `finding.fixed` (a fix nobody was alerted to is
 * not news either).
 */
export function findingEvents(
  image: EventImage,
  diff: Pick<FindingsDiff, 'appeared' | 'disappeared'>,
  cause: 'scan' | 'rematch',
  policy: EventPolicy,
  at: Date,
): Array<NewFindingEvent | FixedFindingEvent> {
  const out: Array<NewFindingEvent | FixedFindingEvent> = [];
  const iso = at.toISOString();
  for (const f of diff.appeared) {
    const reasons = reasonsFor(f, policy);
    if (reasons.length)
      out.push({ type: 'finding.new', at: iso, image, finding: eventFinding(f), reasons, cause });
  }
  for (const f of diff.disappeared) {
    if (reasonsFor(f, policy).length)
      out.push({ type: 'finding.fixed', at: iso, image, finding: eventFinding(f), cause });
  }
  return out;
}
