// Prism (@stoplight/prism-cli 5.14.2; 5.16 needs Node 24.18, above our 22.12 floor) serving Twilio's own
// OpenAPI spec, so the official `twilio` client is checked against Twilio's published contract
// (docs/phone-numbers.md). The spec is the copy in test/fixtures/twilio-oai/ (Apache-2.0, see its
// README); a patched COPY is written under the OS temp dir and removed when Prism stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.js';

// Jest runs from the repository root.
export const TWILIO_SPEC_PATH = process.env.TWILIO_OPENAPI_SPEC ?? resolve(process.cwd(), 'test/fixtures/twilio-oai/twilio_api_v2010.json');
const PRISM_BIN = resolve(process.cwd(), 'node_modules/@stoplight/prism-cli/dist/index.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document, walked generically
type Json = Record<string, any>;

const SID_PATTERN = /^\^[A-Z]{2}\[0-9a-fA-F\]\{32\}\$$/;

/**
 * Makes Twilio's spec accept what Twilio itself accepts, in two places Prism 5.14.2 is stricter:
 * 1. Array form fields are sent as repeated keys (`StatusCallbackEvent=a&StatusCallbackEvent=b`,
 *    the SDK's `arrayFormat: repeat`). Without an `encoding` entry Prism rejects them (422 "must be
 *    array"): declare `{style: form, explode: true}` for every array property of a form body.
 * 2. On Update operations an empty value clears a field (`VoiceUrl=`, `VoiceApplicationSid=`), but
 *    `format: uri` and the SID patterns reject "": let those properties be valid or empty.
 * Returns the list of changes (the tests check a few of them).
 */
export function patchTwilioSpecForPrism(spec: Json): string[] {
  const changes: string[] = [];
  for (const item of Object.values<Json>(spec.paths ?? {})) {
    for (const op of Object.values<Json>(item)) {
      const form = op?.requestBody?.content?.['application/x-www-form-urlencoded'];
      const properties: Json | undefined = form?.schema?.properties;
      if (!properties) continue;
      const clearable = String(op.operationId ?? '').startsWith('Update');
      for (const [name, schema] of Object.entries<Json>(properties)) {
        if (schema.type === 'array') {
          form.encoding = { ...form.encoding, [name]: { style: 'form', explode: true } };
          changes.push(`${op.operationId} ${name}: repeated keys`);
        } else if (clearable && schema.type === 'string' && (schema.format === 'uri' || SID_PATTERN.test(schema.pattern ?? ''))) {
          const { format, pattern, minLength, maxLength, ...rest } = schema;
          const valid = Object.fromEntries(Object.entries({ format, pattern, minLength, maxLength }).filter(([, v]) => v !== undefined));
          properties[name] = { ...rest, anyOf: [valid, { maxLength: 0 }] };
          changes.push(`${op.operationId} ${name}: may be empty`);
        }
      }
    }
  }
  return changes;
}

export interface PrismServer {
  baseUrl: string;
  /** The patched copy Prism serves. */
  specPath: string;
  stop(): Promise<void>;
}

function answers(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = http.get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      done(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Starts Prism on 127.0.0.1 and a free port, resolves once it answers (3-6 s cold). */
export async function startPrism(options: { timeoutMs?: number } = {}): Promise<PrismServer> {
  // Read and patch before making the temporary folder, so a missing spec leaves nothing behind.
  const spec = JSON.parse(readFileSync(TWILIO_SPEC_PATH, 'utf8')) as Json;
  patchTwilioSpecForPrism(spec);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-prism-'));
  const specPath = join(dir, 'twilio_api_v2010.patched.json');
  writeFileSync(specPath, JSON.stringify(spec));

  const baseUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(process.execPath, [PRISM_BIN, 'mock', '-h', '127.0.0.1', '-p', String(port), specPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  // The last lines of Prism's output, for the error message if it does not start.
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 40) output.splice(0, output.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  // Any HTTP answer (401 without credentials) means Prism has loaded the spec and listens.
  while (!(await answers(`${baseUrl}/2010-04-01/Accounts.json`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Prism did not start on ${baseUrl}:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { baseUrl, specPath, stop };
}
