import { Injectable } from '@nestjs/common';
import { PhoneNumbersService } from '../tenants/phone-numbers.service.js';
import type { PhoneNumber } from '../tenants/phone-number.entity.js';
import type { Tenant } from '../tenants/tenant.entity.js';

export interface NumberRoute {
  phoneNumber: PhoneNumber;
  tenant: Tenant;
}

// Every incoming call starts with "which tenant owns the number dialled?". A few seconds of
// caching takes that query off the hot path (and absorbs floods to unknown numbers) while a
// settings change or a suspension still applies within ROUTE_TTL_MS. The hand-off numbers are
// kept much longer, for the fallback webhook when the database is down.
const ROUTE_TTL_MS = 5_000;
const HANDOFF_TTL_MS = 24 * 60 * 60_000;
const MAX_ENTRIES = 10_000;

export interface KnownHandoff {
  tenantId: string;
  handoffNumber: string | null;
}

interface Cached<T> {
  value: T;
  expiresAt: number;
}

function remember<T>(map: Map<string, Cached<T>>, key: string, value: T, ttlMs: number): void {
  if (map.size >= MAX_ENTRIES && !map.has(key)) map.delete(map.keys().next().value as string); // oldest first
  map.delete(key);
  map.set(key, { value, expiresAt: Date.now() + ttlMs });
}

@Injectable()
export class TenantRoutingService {
  private readonly routes = new Map<string, Cached<NumberRoute | null>>();
  private readonly handoffs = new Map<string, Cached<KnownHandoff>>();

  constructor(private readonly numbers: PhoneNumbersService) {}

  /** The number (E.164) and its tenant, or null when no tenant has it. */
  async resolve(e164: string): Promise<NumberRoute | null> {
    const cached = this.routes.get(e164);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const found = await this.numbers.findByE164(e164);
    const route = found?.tenant ? { phoneNumber: found, tenant: found.tenant } : null;
    remember(this.routes, e164, route, ROUTE_TTL_MS);
    if (route)
      this.rememberHandoff(e164, {
        tenantId: route.tenant.id,
        handoffNumber: route.tenant.status === 'active' ? (route.tenant.settings?.handoffNumber ?? null) : null,
      });
    return route;
  }

  /** The last hand-off number seen for this number, without touching the database (undefined = never seen). */
  lastKnownHandoff(e164: string): KnownHandoff | undefined {
    const cached = this.handoffs.get(e164);
    return cached && cached.expiresAt > Date.now() ? cached.value : undefined;
  }

  private rememberHandoff(e164: string, known: KnownHandoff): void {
    remember(this.handoffs, e164, known, HANDOFF_TTL_MS);
  }
}
