import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TenantSettings } from './tenant-settings.types.js';

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

@Entity('tenants')
@Index('UQ_tenants_slug', ['slug'], { unique: true })
@Index('UQ_tenants_twilio_account_sid', ['twilioAccountSid'], { unique: true, where: '"twilio_account_sid" IS NOT NULL' })
@Index('UQ_tenants_tool_secret_hash', ['toolSecretHash'], { unique: true, where: '"tool_secret_hash" IS NOT NULL' })
@Check('CHK_tenants_status', `"status" IN ('active', 'suspended')`)
export class Tenant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 63 })
  slug: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: TenantStatus;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone: string;

  @Column({ type: 'jsonb', default: {} })
  settings: TenantSettings;

  /** A tenant's own Twilio (sub)account: webhooks signed by it are verified with its token. */
  @Column({ name: 'twilio_account_sid', type: 'varchar', length: 34, nullable: true })
  twilioAccountSid: string | null;

  /** AES-256-GCM under ENCRYPTION_KEY (see common/crypto/secret-box.ts); never returned by the API. */
  @Column({ name: 'twilio_auth_token_enc', type: 'text', nullable: true, select: false })
  twilioAuthTokenEnc: string | null;

  @Column({ name: 'elevenlabs_api_key_enc', type: 'text', nullable: true, select: false })
  elevenlabsApiKeyEnc: string | null;

  /** SHA-256 of the secret ElevenLabs sends when calling this tenant's server tools. */
  @Column({ name: 'tool_secret_hash', type: 'char', length: 64, nullable: true, select: false })
  toolSecretHash: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
