import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity.js';

@Entity('phone_numbers')
@Index('UQ_phone_numbers_e164', ['e164'], { unique: true })
@Index('IDX_phone_numbers_tenant', ['tenantId', 'createdAt'])
export class PhoneNumber {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_phone_numbers_tenant' })
  tenant?: Tenant;

  /** Always E.164, e.g. +14155550123: the key Twilio's `To` is matched on. */
  @Column({ type: 'varchar', length: 16 })
  e164: string;

  @Column({ name: 'twilio_sid', type: 'varchar', length: 34, nullable: true })
  twilioSid: string | null;

  @Column({ name: 'voice_enabled', type: 'boolean', default: true })
  voiceEnabled: boolean;

  @Column({ name: 'sms_enabled', type: 'boolean', default: false })
  smsEnabled: boolean;

  @Column({ name: 'whatsapp_enabled', type: 'boolean', default: false })
  whatsappEnabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
