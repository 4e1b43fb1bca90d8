import type { Selectable } from 'kysely';
import type { LicenseDevicesTable } from '../../db/schema/devices.js';
import { toIso } from '../../lib/time.js';

/** A hardware part an activation names, so a check can tell the same machine with a part changed. */
export interface Component {
  name: string;
  fingerprint: string;
}

export interface Device {
  id: string;
  licenseId: string;
  fingerprint: string;
  name: string | null;
  platform: string | null;
  components: Component[] | null;
  status: 'active' | 'deactivated' | 'released';
  activatedAt: string;
  lastHeartbeatAt: string;
  endedAt: string | null;
}

/** Two intervals after `from`: a device silent that long is released (null: the license has no heartbeat interval). */
export function releaseAt(from: Date, heartbeatInterval: number | null): Date | null {
  return heartbeatInterval === null ? null : new Date(from.getTime() + 2 * Number(heartbeatInterval) * 1000);
}

export function toDevice(row: Selectable<LicenseDevicesTable>): Device {
  return {
    id: row.id,
    licenseId: row.license_id,
    fingerprint: row.fingerprint,
    name: row.name,
    platform: row.platform,
    components: row.components === null ? null : (JSON.parse(row.components) as Component[]),
    status: row.status,
    activatedAt: toIso(row.activated_at),
    lastHeartbeatAt: toIso(row.last_heartbeat_at),
    endedAt: toIso(row.ended_at),
  };
}

/** The webhook `data` of device events: the device and its license, never the key. */
export function deviceData(d: Device, projectId: string) {
  return {
    id: d.id,
    license_id: d.licenseId,
    project_id: projectId,
    fingerprint: d.fingerprint,
    name: d.name,
    platform: d.platform,
    status: d.status,
    activated_at: d.activatedAt,
    ended_at: d.endedAt,
  };
}
