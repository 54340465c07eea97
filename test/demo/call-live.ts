// `npm run call`: one simulated phone call against a Switchboard that is already running (by
// default the quick start's http://localhost:3000), signed exactly as Twilio signs, with the
// development secrets the first start wrote to data/dev-secrets.json. It makes sure a demo tenant
// with a demo number exists (admin API), rings that number through the voice webhook, opens the
// media stream the TwiML names, speaks for a second, hangs up, and prints what Switchboard did.
//   npm run call -- [--target http://localhost:3000] [--public-url <PUBLIC_BASE_URL>] [--data-dir ./data]
// Without an ElevenLabs agent configured the AI leg cannot connect: the call then shows where it
// stopped and why (failureReason), which is what a fresh install should show.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateMulawTone, newTwilioSid, TwilioCallSimulator } from '../simulators/twilio/index.js';

const DEMO_SLUG = 'demo';
const DEMO_NUMBER = '+15005550006';
const CALLER = '+15005550199';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string' },
    'public-url': { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const target = (args.target ?? process.env.SWITCHBOARD_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
const publicUrl = (args['public-url'] ?? process.env.PUBLIC_BASE_URL ?? target).replace(/\/+$/, '');

interface Secrets {
  ADMIN_API_KEY: string;
  TWILIO_ACCOUNT_SID: string;
  TWILIO_AUTH_TOKEN: string;
}

function secrets(): Secrets {
  const file = join(resolve(args['data-dir'] ?? process.env.DATA_DIR ?? './data'), 'dev-secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const pick = (name: keyof Secrets) => process.env[name] || stored[name];
  const found = { ADMIN_API_KEY: pick('ADMIN_API_KEY'), TWILIO_ACCOUNT_SID: pick('TWILIO_ACCOUNT_SID'), TWILIO_AUTH_TOKEN: pick('TWILIO_AUTH_TOKEN') };
  const missing = Object.entries(found)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not found in the environment or in ${file}: start the service once (npm start) or set them`);
  return found as Secrets;
}

/** What the demo reads of a call (GET /api/calls, GET /api/calls/:id). */
interface CallView {
  id: string;
  status?: string;
  twilioCallSid?: string;
  callSid?: string;
  failureReason?: string | null;
  statusHistory?: Array<{ status: string }>;
}

async function api<T = Record<string, unknown>>(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${target}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

async function demoTenant(key: string): Promise<string> {
  const list = await api<{ items?: Array<{ id: string; slug: string }> }>(key, 'GET', '/api/tenants?limit=100');
  const existing = list.body.items?.find((t) => t.slug === DEMO_SLUG);
  const tenantId =
    existing?.id ??
    (
      await api<{ id?: string }>(key, 'POST', '/api/tenants', {
        name: 'Demo',
        slug: DEMO_SLUG,
        timezone: 'UTC',
        settings: { agent: { agentId: process.env.ELEVENLABS_AGENT_ID ?? 'agent_demo' } },
      })
    ).body.id;
  if (!tenantId) throw new Error(`Could not create the demo tenant (${list.status}): is ${target} a Switchboard with this admin key?`);
  const number = await api(key, 'POST', `/api/tenants/${tenantId}/phone-numbers`, { phoneNumber: DEMO_NUMBER });
  if (number.status !== 201 && number.status !== 409)
    throw new Error(`Could not add ${DEMO_NUMBER} to the demo tenant: ${number.status} ${JSON.stringify(number.body)}`);
  return tenantId;
}

async function main(): Promise<void> {
  const s = secrets();
  const health = await fetch(`${target}/api/health/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
  if (!health) throw new Error(`Nothing answers at ${target}: start the service first (npm start)`);
  const tenantId = await demoTenant(s.ADMIN_API_KEY);
  const sim = new TwilioCallSimulator({
    appBaseUrl: target,
    publicBaseUrl: publicUrl,
    accountSid: s.TWILIO_ACCOUNT_SID,
    authToken: s.TWILIO_AUTH_TOKEN,
    from: CALLER,
    to: DEMO_NUMBER,
    callSid: newTwilioSid('CA'),
  });
  console.log(`Calling ${DEMO_NUMBER} (tenant "${DEMO_SLUG}") on ${target}, signed for ${publicUrl}, call ${sim.callSid}`);

  const voice = await sim.sendVoiceWebhook();
  const verbs = voice.twiml?.verbs.map((v) => v.name).join(', ') ?? voice.body.slice(0, 120);
  console.log(`  voice webhook      → ${voice.status} ${verbs}`);
  if (voice.status !== 200) throw new Error(`The signed voice webhook was refused (${voice.status}): does --public-url match the service's PUBLIC_BASE_URL?`);
  const stream = voice.twiml?.connect?.stream;
  if (stream?.url) {
    const media = await sim.openMediaStream({ streamUrl: stream.url, parameters: stream.parameters });
    console.log(`  media stream       → open (${stream.url})`);
    await sim.sendStatusCallback('in-progress').catch(() => undefined);
    void media.streamAudio(generateMulawTone(1_000, 440, 0.2));
    const closed = await Promise.race([media.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000))]);
    if (!closed) await media.stop();
    console.log(
      `  media stream       → ${closed ? `closed by Switchboard (${closed.code})` : 'hung up by the caller'}; ${media.received.sentMedia} frames sent, ${media.received.media} received`,
    );
  }
  await sim.sendStatusCallback('completed', { CallDuration: '2' }).catch(() => undefined);

  const calls = await api<{ items?: CallView[] }>(s.ADMIN_API_KEY, 'GET', `/api/calls?tenantId=${tenantId}&limit=5`);
  const call = calls.body.items?.find((c) => c.twilioCallSid === sim.callSid || c.callSid === sim.callSid) ?? calls.body.items?.[0];
  if (!call) throw new Error('The call is not in GET /api/calls');
  const detail = (await api<CallView>(s.ADMIN_API_KEY, 'GET', `/api/calls/${call.id}`)).body;
  console.log(`Call ${detail.id}: ${detail.status}${detail.failureReason ? `; failure: ${detail.failureReason}` : ''}`);
  if (Array.isArray(detail.statusHistory)) console.log(`  status history: ${detail.statusHistory.map((h) => h.status).join(' → ')}`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`The call failed: ${err.message}`);
    process.exit(1);
  },
);
