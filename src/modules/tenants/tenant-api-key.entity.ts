import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity.js';

// Only a SHA-256 of the key is stored: keys are 192-bit random, so a fast hash is enough and
// lets us find the key by an index lookup instead of comparing against every row.
@Entity('tenant_api_keys')
@Index('IDX_tenant_api_keys_tenant', ['tenantId', 'createdAt'])
@Index('UQ_tenant_api_keys_hash', ['keyHash'], { unique: true })
export class TenantApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_tenant_api_keys_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** First characters of the key, to recognise it in a list. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
