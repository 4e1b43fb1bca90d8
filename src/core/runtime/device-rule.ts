import type { Component } from '../devices/device.js';
import type { ComponentMatch } from '../../db/schema/licenses.js';
import type { CheckRequest, Refusal } from './rules.js';
import type { LicenseSnapshot } from './snapshot.js';

/**
 * The seat rule (issue 20): a license with max_devices answers only its active devices, named
 * by X-Device-Fingerprint; when the activation listed components and the check sends
 * X-Device-Components (a JSON array of {name, fingerprint}), enough of them must match, by
 * the license's component_match. Pure, as every rule; a license without max_devices returns
 * at the first test.
 */
export function deviceRule(snap: LicenseSnapshot, req: CheckRequest): Refusal | undefined {
  if (snap.license.maxDevices === null) return undefined;
  const fingerprint = req.device ?? null;
  const components = fingerprint === null ? undefined : snap.devices?.get(fingerprint);
  if (components === undefined)
    return { valid: false, outcome: 'DEVICE_NOT_ACTIVATED', message: 'This device is not activated for this license.' };
  const raw = req.deviceComponents ?? null;
  if (components === null || raw === null) return undefined;
  const sent = parseComponents(raw);
  if (sent === null)
    return {
      valid: false,
      outcome: 'BAD_DEVICE_COMPONENTS',
      message: 'X-Device-Components must be a JSON array of {"name", "fingerprint"} strings.',
    };
  return componentsMatch(components, sent, snap.license.componentMatch)
    ? undefined
    : { valid: false, outcome: 'DEVICE_MISMATCH', message: "This device's components do not match its activation." };
}

/** The header's components, or null when it is not a JSON array of {name, fingerprint} strings (at most 32). */
export function parseComponents(raw: string): Component[] | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length > 32) return null;
  const ok = value.every(
    (c) => c !== null && typeof c === 'object' && typeof c.name === 'string' && typeof c.fingerprint === 'string',
  );
  return ok ? value.map((c) => ({ name: c.name as string, fingerprint: c.fingerprint as string })) : null;
}

/** How many of the activation's components the check names with the same fingerprint, against the rule. */
export function componentsMatch(
  activated: readonly Component[],
  sent: readonly Component[],
  rule: ComponentMatch,
): boolean {
  if (activated.length === 0) return true;
  const seen = new Set(sent.map((c) => JSON.stringify([c.name, c.fingerprint])));
  const matched = activated.filter((c) => seen.has(JSON.stringify([c.name, c.fingerprint]))).length;
  if (rule === 'all') return matched === activated.length;
  if (rule === 'majority') return matched * 2 > activated.length;
  return matched > 0;
}
