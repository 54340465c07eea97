import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity.js';

/** active: Twilio matches what we last configured (or was never checked); drifted: it may not. */
export type PhoneNumberStatus = 'active' | 'drifted';

/** The Twilio fields we last wrote for a number (the phone-provisioning module owns the shape). */
export type PhoneNumberWebhookSnapshot = Record<string, string>;

export interface PhoneNumberDrift {
  detectedAt: string;
  /** Why the number is drifted: a failed compensation, or the drift check's findings. */
  reason: string;
  differences?: Array<{ field: string; expected: string; actual: string | null }>;
}

@Entity('phone_numbers')
@Index('UQ_phone_numbers_e164', ['e164'], { unique: true })
// One Twilio number resource is one row: a stale row holding the SID is refused by the database.
@Index('UQ_phone_numbers_twilio_sid', ['twilioSid'], { unique: true, where: '"twilio_sid" IS NOT NULL' })
@Index('IDX_phone_numbers_tenant', ['tenantId', 'createdAt'])
@Check('CHK_phone_numbers_status', `"status" IN ('active', 'drifted')`)
export class PhoneNumber {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Null while the number sits in the platform pool (unassigned): it then routes to nobody. */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_phone_numbers_tenant' })
  tenant?: Tenant | null;

  /** Always E.164, e.g. +14155550123: the key Twilio's `To` is matched on. */
  @Column({ type: 'varchar', length: 16 })
  e164: string;

  @Column({ name: 'twilio_sid', type: 'varchar', length: 34, nullable: true })
  twilioSid: string | null;

  /** The Twilio (sub)account that holds the number, learnt when it is first configured. */
  @Column({ name: 'twilio_account_sid', type: 'varchar', length: 34, nullable: true })
  twilioAccountSid: string | null;

  /** Overrides the tenant's default ElevenLabs agent for calls to this number. */
  @Column({ name: 'agent_id', type: 'varchar', length: 100, nullable: true })
  agentId: string | null;

  @Column({ name: 'voice_enabled', type: 'boolean', default: true })
  voiceEnabled: boolean;

  @Column({ name: 'sms_enabled', type: 'boolean', default: false })
  smsEnabled: boolean;

  @Column({ name: 'whatsapp_enabled', type: 'boolean', default: false })
  whatsappEnabled: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: PhoneNumberStatus;

  /** What we last wrote on Twilio for this number (our fields only). */
  @Column({ name: 'webhook_config', type: 'jsonb', nullable: true })
  webhookConfig: PhoneNumberWebhookSnapshot | null;

  @Column({ name: 'webhooks_configured_at', type: 'timestamptz', nullable: true })
  webhooksConfiguredAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  drift: PhoneNumberDrift | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
