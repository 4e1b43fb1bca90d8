import type { Domain } from '../domains/domain.js';
import type { Injectable } from '../injectables/injectable.js';
import type { License } from '../licenses/license.js';
import type { Project } from '../projects/project.js';

/**
 * The `data` of an event: the object as the devpayr face shows it, minus anything that is a
 * secret, a key (a license's masked key included) or a hash. These leave the server in
 * webhooks, so each is an allowlist.
 */
export function projectData(p: Project) {
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    default_redirect_url: p.defaultRedirectUrl,
    webhook_url: p.webhookUrl,
    logo_url: p.logoUrl,
    meta: p.meta,
    is_active: p.isActive,
    has_paid: p.hasPaid,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function licenseData(l: License) {
  return {
    id: l.id,
    project_id: l.projectId,
    title: l.title,
    status: l.status,
    expires_at: l.expiresAt,
    domain_id: l.domainId,
    max_domains: l.maxDomains,
    max_subdomains_per_domain: l.maxSubdomainsPerDomain,
    max_usage_per_day: l.maxUsagePerDay,
    allowed_ips: l.allowedIps,
    allowed_countries: l.allowedCountries,
    is_test_license: l.isTestLicense,
    max_devices: l.maxDevices,
    heartbeat_interval: l.heartbeatInterval,
    component_match: l.componentMatch,
    revoked_at: l.revokedAt,
    created_at: l.createdAt,
    updated_at: l.updatedAt,
  };
}

export function domainData(d: Domain) {
  return {
    id: d.id,
    project_id: d.projectId,
    domain: d.domain,
    environment: d.environment,
    has_paid: d.hasPaid,
    is_active: d.isActive,
    is_primary: d.isPrimary,
    is_verified: d.isVerified,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

export function injectableData(i: Injectable) {
  return {
    id: i.id,
    project_id: i.projectId,
    title: i.title,
    slug: i.slug,
    type: i.type,
    mode: i.mode,
    target_path: i.targetPath,
    only_if_paid: i.onlyIfPaid,
    is_active: i.isActive,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

export function endUserData(u: {
  id: string;
  email: string;
  fullName: string | null;
  projectId: string;
  isActive: boolean;
  createdAt: string;
}) {
  return {
    id: u.id,
    project_id: u.projectId,
    email: u.email,
    full_name: u.fullName,
    is_active: u.isActive,
    created_at: u.createdAt,
  };
}
