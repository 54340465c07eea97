import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per tenant and UTC day; rows are only ever incremented (INSERT ... ON CONFLICT DO UPDATE). */
@Entity('usage_daily')
export class UsageDaily {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ name: 'inbound_calls', type: 'integer', default: 0 })
  inboundCalls: number;

  @Column({ name: 'outbound_calls', type: 'integer', default: 0 })
  outboundCalls: number;

  @Column({ name: 'inbound_seconds', type: 'integer', default: 0 })
  inboundSeconds: number;

  @Column({ name: 'outbound_seconds', type: 'integer', default: 0 })
  outboundSeconds: number;

  @Column({ name: 'sms_in_segments', type: 'integer', default: 0 })
  smsInSegments: number;

  @Column({ name: 'sms_out_segments', type: 'integer', default: 0 })
  smsOutSegments: number;

  @Column({ name: 'whatsapp_in', type: 'integer', default: 0 })
  whatsappIn: number;

  @Column({ name: 'whatsapp_out', type: 'integer', default: 0 })
  whatsappOut: number;

  @Column({ name: 'ai_seconds', type: 'integer', default: 0 })
  aiSeconds: number;

  @Column({ name: 'ai_cost', type: 'numeric', precision: 12, scale: 4, default: 0 })
  aiCost: string;
}
