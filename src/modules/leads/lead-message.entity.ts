import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Lead } from './lead.entity.js';

export const MESSAGE_CHANNELS = ['voice', 'sms', 'whatsapp'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
/** The channels of text messages (SMS and WhatsApp), which carry a delivery status. */
export const TEXT_CHANNELS = ['sms', 'whatsapp'] as const satisfies readonly MessageChannel[];
export type TextChannel = (typeof TEXT_CHANNELS)[number];
export const MESSAGE_ROLES = ['user', 'agent', 'human', 'system'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export type MessageDirection = 'inbound' | 'outbound';

/**
 * One entry of a lead's timeline, whatever the channel: a transcript turn of a call, an SMS or
 * WhatsApp message in or out, an operator's reply, a system note (transfer, booking).
 */
@Entity('lead_messages')
@Index('IDX_lead_messages_tenant_lead_time', ['tenantId', 'leadId', 'occurredAt'])
@Index('IDX_lead_messages_tenant_call', ['tenantId', 'callId'])
@Index('UQ_lead_messages_tenant_external', ['tenantId', 'externalId'], { unique: true, where: '"external_id" IS NOT NULL' })
@Index('IDX_lead_messages_resend_due', ['resendAt'], { where: '"resend_at" IS NOT NULL' })
export class LeadMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId: string;

  @ManyToOne(() => Lead, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'lead_id', foreignKeyConstraintName: 'FK_lead_messages_lead' })
  lead?: Lead;

  @Column({ name: 'call_id', type: 'uuid', nullable: true })
  callId: string | null;

  @Column({ type: 'varchar', length: 12 })
  channel: MessageChannel;

  @Column({ type: 'varchar', length: 8 })
  direction: MessageDirection;

  @Column({ type: 'varchar', length: 8 })
  role: MessageRole;

  @Column({ type: 'text' })
  body: string;

  /** Seconds from the start of the call, for transcript turns. */
  @Column({ name: 'offset_secs', type: 'real', nullable: true })
  offsetSecs: number | null;

  /** The provider's identity of this entry (MessageSid, conversation id + turn): makes retries no-ops. */
  @Column({ name: 'external_id', type: 'varchar', length: 120, nullable: true })
  externalId: string | null;

  /** SMS delivery status (queued ... delivered / undelivered / failed / read). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  status: string | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode: number | null;

  @Column({ type: 'smallint', nullable: true })
  segments: number | null;

  /** When an outgoing message that failed transiently is to be sent again (SmsResendWorker). */
  @Column({ name: 'resend_at', type: 'timestamptz', nullable: true })
  resendAt: Date | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
