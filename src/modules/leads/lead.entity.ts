import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'unqualified' | 'customer';

/** A person a tenant talks to, keyed by (tenant, phone number in E.164), across voice and SMS. */
@Entity('leads')
@Index('UQ_leads_tenant_phone', ['tenantId', 'phoneE164'], { unique: true })
@Index('IDX_leads_tenant_score', ['tenantId', 'score'])
@Index('IDX_leads_tenant_last_contact', ['tenantId', 'lastContactAt'])
@Check('CHK_leads_status', `"status" IN ('new', 'contacted', 'qualified', 'unqualified', 'customer')`)
@Check('CHK_leads_score', `"score" BETWEEN 0 AND 100`)
export class Lead {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_leads_tenant' })
  tenant?: Tenant;

  @Column({ name: 'phone_e164', type: 'varchar', length: 16 })
  phoneE164: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 16, default: 'new' })
  status: LeadStatus;

  @Column({ type: 'smallint', default: 0 })
  score: number;

  /** Why the score is what it is: [{ code, points, detail }]. */
  @Column({ name: 'score_reasons', type: 'jsonb', default: [] })
  scoreReasons: Array<{ code: string; points: number; detail: string }>;

  @Column({ type: 'varchar', length: 16, nullable: true })
  sentiment: string | null;

  @Column({ type: 'jsonb', default: [] })
  interests: string[];

  @Column({ type: 'jsonb', default: [] })
  keywords: string[];

  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ name: 'action_items', type: 'jsonb', default: [] })
  actionItems: Array<{ type: string; detail: string }>;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'interaction_count', type: 'integer', default: 0 })
  interactionCount: number;

  @Column({ name: 'last_contact_at', type: 'timestamptz', nullable: true })
  lastContactAt: Date | null;

  /** While true, a human operator owns the conversation: no automatic replies. */
  @Column({ name: 'human_control', type: 'boolean', default: false })
  humanControl: boolean;

  @Column({ name: 'human_operator', type: 'varchar', length: 100, nullable: true })
  humanOperator: string | null;

  /** Set by STOP and friends; nothing is sent to the lead until START clears it. */
  @Column({ name: 'opted_out_at', type: 'timestamptz', nullable: true })
  optedOutAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
