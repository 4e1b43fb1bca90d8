import type { Tier } from '../../db/schema/index.js';

export type RateCategory = 'auth' | 'management' | 'generation' | 'anonymous_generation';

export interface TierLimits {
  label: string;
  /** null = unlimited */
  maxProjects: number | null;
  maxEndUsersPerProject: number | null;
  maxApiKeysPerProject: number | null;
  /** Requests per window by endpoint category; null = unlimited. */
  rate: Record<RateCategory, { limit: number; windowSeconds: number } | null>;
}

const HOUR = 3600;
const DAY = 86400;
const MONTH = 30 * DAY;

/** Plan tiers as cloud-api/projects/create.mdx and cloud-api/introduction.mdx tabulate them. */
export const TIERS: Record<Tier, TierLimits> = {
  free_starter: {
    label: 'Free Starter',
    maxProjects: 5,
    maxEndUsersPerProject: 100,
    maxApiKeysPerProject: 3,
    rate: {
      auth: { limit: 100, windowSeconds: HOUR },
      management: { limit: 1000, windowSeconds: DAY },
      generation: { limit: 100, windowSeconds: MONTH },
      anonymous_generation: { limit: 10, windowSeconds: DAY },
    },
  },
  cloud_starter: {
    label: 'Cloud Starter',
    maxProjects: 20,
    maxEndUsersPerProject: 10_000,
    maxApiKeysPerProject: 10,
    rate: {
      auth: { limit: 500, windowSeconds: HOUR },
      management: { limit: 10_000, windowSeconds: DAY },
      generation: { limit: 1000, windowSeconds: MONTH },
      anonymous_generation: null,
    },
  },
  cloud_premium: {
    label: 'Cloud Premium',
    maxProjects: null,
    maxEndUsersPerProject: null,
    maxApiKeysPerProject: null,
    rate: {
      auth: { limit: 2000, windowSeconds: HOUR },
      management: null,
      generation: null,
      anonymous_generation: null,
    },
  },
};

export const TIER_NAMES = Object.keys(TIERS) as Tier[];

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && Object.hasOwn(TIERS, value);
}

/** Max active developer keys per account, whatever the tier (cloud-api/auth/developer-keys.mdx). */
export const MAX_ACTIVE_DEVELOPER_KEYS = 10;
