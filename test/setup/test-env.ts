// The environment every e2e app starts from; suites override single variables.
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  LOG_PRETTY: 'false',
  PUBLIC_BASE_URL: 'https://voice.example.test',
  ADMIN_API_KEY: 'test-admin-key-0123456789abcdef',
  ENCRYPTION_KEY: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  SHUTDOWN_DRAIN_MS: '2000',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
  TWILIO_AUTH_TOKEN: 'test-twilio-auth-token',
  ELEVENLABS_API_KEY: 'test-elevenlabs-key',
  ELEVENLABS_WEBHOOK_SECRET: 'wsec_test_default',
  // Suites share one PostgreSQL database: no app sends due SMS resends on its own timer (it could
  // take another suite's rows); the SMS suite sends them explicitly (SmsResendWorker.sendDue).
  SMS_RESEND_POLL_MS: '300000',
};
