import { randomUUID } from 'node:crypto';
import { SessionTokenService } from '../../src/modules/calls/session-token.service.js';
import { TwilioCredentialsService } from '../../src/modules/provider-clients/twilio-credentials.service.js';
import { createTenant, uniquePhoneNumber, type CreatedTenant } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { FakeElevenLabs, type AgentConfig } from '../simulators/elevenlabs/index.js';
import { newTwilioSid, TwilioCallSimulator, type MediaStreamSession, type OpenMediaStreamOptions } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';

// Shared set-up of the media bridge e2e suites: a real app on a real port, a fake ElevenLabs, and
// call rows made directly in the database (as the voice webhook would have left them).

export interface BridgeHarness {
  t: TestApp;
  fake: FakeElevenLabs;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startBridgeHarness(env: Record<string, string> = {}): Promise<BridgeHarness> {
  const fake = await FakeElevenLabs.start({ defaultAgent: { mode: 'echo', pingIntervalMs: 0 } });
  const t = await createTestApp({ ELEVENLABS_API_BASE_URL: fake.baseUrl, ...env });
  const baseUrl = await t.listen();
  return {
    t,
    fake,
    baseUrl,
    close: async () => {
      await t.close();
      await fake.stop();
    },
  };
}

export interface PreparedCall {
  tenant: CreatedTenant;
  agentId: string;
  callId: string;
  callSid: string;
  leadId: string | null;
  token: string;
  sim: TwilioCallSimulator;
}

export interface PrepareCallOptions {
  agent?: AgentConfig;
  agentSettings?: Record<string, unknown>;
  tenantSettings?: Record<string, unknown>;
  withLead?: boolean;
  /** A tenant on its own Twilio subaccount: streams are signed with this token. */
  subaccount?: { accountSid: string; authToken: string };
}

/** A tenant with its own agent, a lead, a ringing call row and the session token the voice webhook would issue. */
export async function prepareCall(h: BridgeHarness, opts: PrepareCallOptions = {}): Promise<PreparedCall> {
  const agentId = `agent_${randomUUID().slice(0, 8)}`;
  if (opts.agent) h.fake.setAgent(agentId, opts.agent);
  const tenant = await createTenant(h.t, { settings: { agent: { agentId, ...opts.agentSettings }, ...opts.tenantSettings } });
  if (opts.subaccount) {
    await h.t.app.get(TwilioCredentialsService).setTenantCredentials(tenant.id, opts.subaccount);
  }
  const from = uniquePhoneNumber();
  const to = uniquePhoneNumber();
  let leadId: string | null = null;
  if (opts.withLead !== false) {
    const [lead] = await h.t.dataSource.query(`INSERT INTO leads (tenant_id, phone_e164, name) VALUES ($1, $2, 'Ada') RETURNING id`, [tenant.id, from]);
    leadId = lead.id;
  }
  const callSid = newTwilioSid('CA');
  const accountSid = opts.subaccount?.accountSid ?? TEST_ENV.TWILIO_ACCOUNT_SID;
  const [row] = await h.t.dataSource.query(
    `INSERT INTO calls (tenant_id, lead_id, twilio_call_sid, twilio_account_sid, direction, from_number, to_number, status, routing_mode)
     VALUES ($1, $2, $3, $4, 'inbound', $5, $6, 'ringing', 'bridge') RETURNING id`,
    [tenant.id, leadId, callSid, accountSid, from, to],
  );
  const token = h.t.app.get(SessionTokenService).issue(callSid, tenant.id, row.id);
  const sim = new TwilioCallSimulator({
    appBaseUrl: h.baseUrl,
    publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL,
    accountSid,
    authToken: opts.subaccount?.authToken ?? TEST_ENV.TWILIO_AUTH_TOKEN,
    from,
    to,
    callSid,
  });
  return { tenant, agentId, callId: row.id, callSid, leadId, token, sim };
}

/** Opens the call's media stream as Twilio would (signed upgrade, the TwiML's parameters). */
export function openStream(call: PreparedCall, opts: Partial<OpenMediaStreamOptions> = {}): Promise<MediaStreamSession> {
  return call.sim.openMediaStream({
    streamUrl: '/media-stream',
    parameters: { sessionToken: call.token, callId: call.callId },
    ...opts,
    session: { playbackSpeed: 20, ...opts.session },
  });
}

/** A calls row (SELECT *): `metadata` is its JSONB column (the bridge's outcome), the rest is matched. */
export type CallRow = Record<string, unknown> & { metadata: Record<string, unknown> | null };

export async function callRow(t: TestApp, callId: string): Promise<CallRow> {
  const [row] = await t.dataSource.query<CallRow[]>(`SELECT * FROM calls WHERE id = $1`, [callId]);
  return row;
}

/** `waitFor` with the condition's name first, as the media bridge suites read best. */
export const waitUntil = <T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs?: number): Promise<T> =>
  waitFor(probe, timeoutMs, what);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
