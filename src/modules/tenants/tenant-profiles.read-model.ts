import { jsonObjectOrNull, oneOf, text, type SqlRow } from '../../database/sql-row.js';
import type { TenantSettings } from './tenant-settings.types.js';
import { Tenant, TENANT_STATUSES } from './tenant.entity.js';

/**
 * Read model the tenants module publishes (a view, migration TypedCallState): what other modules may
 * read of a tenant inside their own statements (a call's status update, a media stream's claim),
 * never its credentials. Join it as `JOIN tenant_profiles t ON t.id = ...` and read the row with
 * tenantProfileOf().
 */
export const TENANT_PROFILES_VIEW = 'tenant_profiles';

export type TenantProfile = Pick<Tenant, 'id' | 'name' | 'slug' | 'status' | 'timezone' | 'settings'>;

/**
 * Settings are validated when written (UpdateTenantDto and its nested validators); what the column
 * holds is that validated shape, so this is the one place a stored value is taken as TenantSettings.
 */
export function storedTenantSettings(value: Record<string, unknown> | null): TenantSettings {
  const settings: TenantSettings = value ?? {};
  return settings;
}

/** A tenant_profiles row whose columns carry `prefix` (e.g. `tenant_` for `t.name AS tenant_name`). */
export function tenantProfileOf(row: SqlRow, prefix = ''): Tenant {
  const profile: TenantProfile = {
    id: text(row, `${prefix}id`),
    name: text(row, `${prefix}name`),
    slug: text(row, `${prefix}slug`),
    status: oneOf(row, `${prefix}status`, TENANT_STATUSES),
    timezone: text(row, `${prefix}timezone`),
    settings: storedTenantSettings(jsonObjectOrNull(row, `${prefix}settings`)),
  };
  // The bridge and the context builder take a Tenant; a profile is the part of one they may see.
  return Object.assign(new Tenant(), profile);
}
