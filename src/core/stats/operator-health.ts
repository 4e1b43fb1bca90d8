import { Forbidden } from '../errors.js';
import type { Principal } from '../principal.js';
import { componentChecks, type HealthCheck } from './instance-health.js';
import { loopChecks } from './loop-health.js';

export interface InstanceHealth {
  version: string;
  node: string;
  /** This process's; other processes of the instance have their own. */
  uptimeSeconds: number;
  checkedAt: string;
  components: HealthCheck[];
  loops: HealthCheck[];
}

/** The instance's health for its operators: every part in words, the background loops, the version. */
export async function instanceHealth(
  ctx: Parameters<typeof componentChecks>[0],
  principal: Principal,
): Promise<InstanceHealth> {
  if (principal.kind !== 'operator')
    throw Forbidden('operator_required', 'Insufficient permissions. Platform operator role required.');
  const [components, loops] = await Promise.all([componentChecks(ctx), loopChecks(ctx)]);
  return {
    version: ctx.config.version,
    node: process.version,
    uptimeSeconds: Math.round(process.uptime()),
    checkedAt: ctx.clock.now().toISOString(),
    components,
    loops,
  };
}
