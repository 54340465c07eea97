import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { firstRow, mapRows, text, textOrNull } from '../../database/sql-row.js';
import { PhoneNumber, type PhoneNumberDrift, type PhoneNumberStatus, type PhoneNumberWebhookSnapshot } from './phone-number.entity.js';

/** A voice number a tenant may call from, with its own agent if it has one. */
export interface CallerId {
  phoneNumberId: string;
  e164: string;
  agentId: string | null;
}

/** A number by its row id, or by its E.164 (pool numbers included). */
export type PhoneNumberTarget = { id: string } | { e164: string };

/** What a number becomes once its Twilio webhooks are configured (the rest is set here). */
export interface ConfiguredPhoneNumber {
  tenantId: string | null;
  agentId: string | null;
  voiceEnabled: boolean;
  smsEnabled: boolean;
  whatsappEnabled: boolean;
  twilioSid: string;
  twilioAccountSid: string;
  webhookConfig: PhoneNumberWebhookSnapshot;
}

/**
 * The phone_numbers table as phone provisioning changes it: row locks, the configured state,
 * drift. The tenants module owns the table; every write to it from elsewhere comes through here.
 */
@Injectable()
export class PhoneNumbersRepository {
  constructor(@InjectRepository(PhoneNumber) private readonly numbers: Repository<PhoneNumber>) {}

  /** The tenant's voice number `e164`, or (null) its oldest voice number; null when it has none. */
  async findCallerId(tenantId: string, e164: string | null): Promise<CallerId | null> {
    const result: unknown = await this.numbers.query(
      `SELECT id, e164, agent_id FROM phone_numbers WHERE tenant_id = $1 AND voice_enabled AND ($2::varchar IS NULL OR e164 = $2::varchar) ORDER BY created_at LIMIT 1`,
      [tenantId, e164],
    );
    return firstRow(result, (r) => ({ phoneNumberId: text(r, 'id'), e164: text(r, 'e164'), agentId: textOrNull(r, 'agent_id') }));
  }

  /** The number, assigned or in the platform pool; null when there is none. */
  findByIdOrE164(target: PhoneNumberTarget): Promise<PhoneNumber | null> {
    return this.numbers.findOneBy(target);
  }

  /** Every number (or a tenant's), oldest first. */
  listOldestFirst(tenantId?: string): Promise<PhoneNumber[]> {
    return this.numbers.find({ where: tenantId ? { tenantId } : {}, order: { createdAt: 'ASC' } });
  }

  /** Ids of the numbers in scope, oldest first; `agentId` matches the number's own agent, else its tenant's default. */
  async idsInScope(scope: { tenantId?: string; agentId?: string }): Promise<string[]> {
    const query = this.numbers.createQueryBuilder('n').leftJoin('n.tenant', 't').select(['n.id']).orderBy('n.created_at', 'ASC');
    if (scope.tenantId) query.andWhere('n.tenant_id = :tenantId', { tenantId: scope.tenantId });
    if (scope.agentId) query.andWhere(`COALESCE(n.agent_id, t.settings -> 'agent' ->> 'agentId') = :agentId`, { agentId: scope.agentId });
    return (await query.getMany()).map((n) => n.id);
  }

  /** Gives a number new to us its (pool) row, so concurrent requests for it queue on the row lock. True: this call created it. */
  async insertIfNew(manager: EntityManager, e164: string): Promise<boolean> {
    const inserted = mapRows(await manager.query('INSERT INTO phone_numbers (e164) VALUES ($1) ON CONFLICT (e164) DO NOTHING RETURNING id', [e164]), (r) =>
      text(r, 'id'),
    );
    return inserted.length > 0;
  }

  /** The number, locked FOR UPDATE for the rest of `manager`'s transaction; null when there is none. */
  lockForUpdate(manager: EntityManager, target: PhoneNumberTarget): Promise<PhoneNumber | null> {
    return manager.getRepository(PhoneNumber).findOne({ where: target, lock: { mode: 'pessimistic_write' } });
  }

  /** Saves a (locked) number as configured: active, no drift, configured now with `configured.webhookConfig`. */
  saveConfigured(manager: EntityManager, row: PhoneNumber, configured: ConfiguredPhoneNumber): Promise<PhoneNumber> {
    Object.assign(row, configured, { status: 'active', drift: null, webhooksConfiguredAt: new Date() });
    return manager.getRepository(PhoneNumber).save(row);
  }

  /**
   * Sets a number's drift status (`drift` null: active again), unless it changed since `seen` was
   * read (another status, or configured since): that write owns the truth then. True when written.
   */
  async recordDrift(seen: { id: string; status: PhoneNumberStatus; webhooksConfiguredAt: Date | null }, drift: PhoneNumberDrift | null): Promise<boolean> {
    const changed = await this.numbers
      .createQueryBuilder()
      .update(PhoneNumber)
      .set({ status: drift ? 'drifted' : 'active', drift })
      .where('id = :id AND status = :status AND webhooks_configured_at IS NOT DISTINCT FROM :configuredAt', {
        id: seen.id,
        status: seen.status,
        configuredAt: seen.webhooksConfiguredAt,
      })
      .execute();
    return Boolean(changed.affected);
  }

  /** Marks the number drifted, creating a pool row for a number we do not hold yet; its row id. */
  async markDrifted(e164: string, drift: Record<string, unknown>): Promise<string | null> {
    return firstRow(
      await this.numbers.query(
        `INSERT INTO phone_numbers (e164, status, drift) VALUES ($1, 'drifted', $2)
         ON CONFLICT (e164) DO UPDATE SET status = 'drifted', drift = EXCLUDED.drift, updated_at = now() RETURNING id`,
        [e164, JSON.stringify(drift)],
      ),
      (r) => text(r, 'id'),
    );
  }
}
