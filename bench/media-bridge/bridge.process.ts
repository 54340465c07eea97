// The Switchboard app under test, in its own process, booted exactly as main.ts boots it
// (createApp, production logging), plus an IPC channel to prepare call rows and read its CPU/RSS.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.setup.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { SessionTokenService } from '../../src/modules/calls/session-token.service.js';
import { MediaBridgeMetrics } from '../../src/modules/media-bridge/media-bridge.metrics.js';
import { eventLoopDelay, gcStats, serveIpc, startProfiling, stopProfiling, usage } from './ipc.js';

export const BENCH_AGENT_ID = 'bench-agent';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.getHttpServer().address() as { port: number }).port;
  const dataSource = app.get(DataSource);
  const tokens = app.get(SessionTokenService);
  const counters = app.get(MediaBridgeMetrics).counters;
  const [tenant] = await dataSource.query<Array<{ id: string }>>(`INSERT INTO tenants (name, slug, settings) VALUES ('Bench', $1, $2) RETURNING id`, [
    `bench-${Date.now().toString(36)}`,
    JSON.stringify({ agent: { agentId: BENCH_AGENT_ID } }),
  ]);

  serveIpc(async (req) => {
    switch (req.type) {
      case 'info':
        return { port, pid: process.pid };
      case 'prepare': {
        // Call rows as the voice webhook leaves them (ringing, no stream yet), and their session tokens.
        const n = Number(req.n);
        const sids = Array.from({ length: n }, () => 'CA' + randomBytes(16).toString('hex'));
        const rows: Array<{ id: string; twilio_call_sid: string }> = await dataSource.query(
          `INSERT INTO calls (tenant_id, twilio_call_sid, twilio_account_sid, direction, from_number, to_number, status, routing_mode)
           SELECT $1, sid, $3, 'inbound', '+14155550100', '+14155550101', 'ringing', 'bridge' FROM unnest($2::text[]) AS sid
           RETURNING id, twilio_call_sid`,
          [tenant.id, sids, config.twilio.accountSid],
        );
        return rows.map((r) => ({ callSid: r.twilio_call_sid, callId: r.id, token: tokens.issue(r.twilio_call_sid, tenant.id, r.id) }));
      }
      case 'usage':
        return { ...usage(), loopDelay: eventLoopDelay(), gc: gcStats(), counters: { ...counters } };
      case 'profile-start':
        return startProfiling();
      case 'profile-stop':
        return stopProfiling(String(req.file));
      case 'stop':
        await app.close();
        setImmediate(() => process.exit(0));
        return {};
      default:
        throw new Error(`unknown request ${req.type}`);
    }
  });
  process.send?.({ event: 'ready' });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
