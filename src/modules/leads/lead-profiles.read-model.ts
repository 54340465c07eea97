import { int, oneOf, text, textOrNull, type SqlRow } from '../../database/sql-row.js';
import { LEAD_STATUSES } from './dto/list-leads-query.dto.js';
import { Lead } from './lead.entity.js';

/**
 * Read model the leads module publishes (a view, migration TypedCallState): what other modules may
 * read of a lead inside their own statements (the media stream's claim builds the agent's context
 * from it). Join it as `LEFT JOIN lead_profiles l ON l.id = ... AND l.tenant_id = ...`.
 */
export const LEAD_PROFILES_VIEW = 'lead_profiles';

export type LeadProfile = Pick<Lead, 'id' | 'tenantId' | 'phoneE164' | 'name' | 'status' | 'score' | 'summary' | 'interactionCount'>;

/** A lead_profiles row whose columns carry `prefix` (e.g. `lead_`); null when the LEFT JOIN found none. */
export function leadProfileOf(row: SqlRow, prefix = ''): Lead | null {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return null;
  const profile: LeadProfile = {
    id: text(row, `${prefix}id`),
    tenantId: text(row, `${prefix}tenant_id`),
    phoneE164: text(row, `${prefix}phone_e164`),
    name: textOrNull(row, `${prefix}name`),
    status: oneOf(row, `${prefix}status`, LEAD_STATUSES),
    score: int(row, `${prefix}score`),
    summary: textOrNull(row, `${prefix}summary`),
    interactionCount: int(row, `${prefix}interaction_count`),
  };
  // The context builder takes a Lead; a profile is the part of one it may see.
  return Object.assign(new Lead(), profile);
}
