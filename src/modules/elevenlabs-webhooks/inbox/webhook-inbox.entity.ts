import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const INBOX_STATUSES = ['pending', 'processing', 'done', 'failed', 'unmatched'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/**
 * A provider event, stored verbatim (after its signature was verified) before anything acts on
 * it. The unique key is the provider's identity of the event, e.g. ('elevenlabs',
 * 'post_call_transcription', <conversation_id>): a retried or duplicated delivery is a no-op.
 * Platform-level, not tenant-owned: the tenant is only known once the event is matched to a call.
 */
@Entity('webhook_inbox')
@Index('UQ_webhook_inbox_event', ['provider', 'eventType', 'externalId'], { unique: true })
@Index('IDX_webhook_inbox_due', ['status', 'nextAttemptAt'])
@Index('IDX_webhook_inbox_received', ['receivedAt'])
@Check('CHK_webhook_inbox_status', `"status" IN ('pending', 'processing', 'done', 'failed', 'unmatched')`)
export class WebhookInboxEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  provider: string;

  @Column({ name: 'event_type', type: 'varchar', length: 48 })
  eventType: string;

  @Column({ name: 'external_id', type: 'varchar', length: 200 })
  externalId: string;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status: InboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** Lease of the instance processing the row; an expired lease means that instance died. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** Where the event came from: 'webhook' or 'reconciliation' (fetched from the REST API). */
  @Column({ type: 'varchar', length: 16, default: 'webhook' })
  source: string;

  /** The event as received (large binary parts replaced by a reference, see post_call_audio). */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ name: 'call_id', type: 'uuid', nullable: true })
  callId: string | null;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
