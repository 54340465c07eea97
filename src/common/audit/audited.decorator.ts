import { SetMetadata } from '@nestjs/common';

export const AUDIT_META = 'audit-meta';
export interface AuditMeta {
  action: string;
  resourceType: string;
}

/** Names the audit action of a write endpoint, e.g. @Audited('tenant.create', 'tenant'). */
export const Audited = (action: string, resourceType: string) => SetMetadata(AUDIT_META, { action, resourceType } satisfies AuditMeta);
/** Opts a write route out of the generic audit (webhooks audit their own way). */
export const SkipAudit = () => SetMetadata(AUDIT_META, false);
