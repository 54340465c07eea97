// A stateful fake of the api.twilio.com 2010-04-01 endpoints we call (Twilio REST API, https://www.twilio.com/docs/usage/api), for the
// official `twilio` SDK pointed at it through a redirecting RequestClient (§4.1 Option A).
// Unlike Prism (§5.1) it accepts repeated-key arrays, keeps state between calls, answers with
// Twilio's error JSON `{code, message, more_info, status}` and can inject faults.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildCallResource,
  buildIncomingNumberResource,
  buildMessageResource,
  INCOMING_NUMBER_UPDATABLE,
  pascalToSnake,
  type IncomingNumberSeed,
  type JsonRecord,
} from './fake-twilio-resources.js';
import { formatRfc2822, newTwilioSid, parseForm, TWILIO_API_VERSION, type TwilioParams } from './twilio-wire.js';

export type FakeTwilioOperation =
  | 'accounts.fetch'
  | 'calls.create'
  | 'calls.fetch'
  | 'calls.update'
  | 'messages.create'
  | 'messages.fetch'
  | 'incomingPhoneNumbers.list'
  | 'incomingPhoneNumbers.fetch'
  | 'incomingPhoneNumbers.update'
  | 'unknown';

export interface TwilioApiErrorSpec {
  status: number;
  code: number;
  message: string;
  moreInfo?: string;
}

export interface RecordedTwilioRequest {
  method: string;
  path: string;
  operation: FakeTwilioOperation;
  form: TwilioParams;
  query: TwilioParams;
  auth: { username: string; password: string } | null;
  headers: http.IncomingHttpHeaders;
  receivedAt: Date;
  /** HTTP status the fake answered with (unset while a delayed request is pending). */
  status?: number;
}

export interface FakeCallRecord {
  resource: JsonRecord;
  /** The create form as received (Url, Twiml, StatusCallbackEvent[]...). */
  createParams: TwilioParams;
  /** Every update form, in order. */
  updates: TwilioParams[];
}

export interface FakeMessageRecord {
  resource: JsonRecord;
  createParams: TwilioParams;
}

export interface FakeTwilioApiOptions {
  port?: number;
  host?: string;
  /** accountSid → authToken accepted by HTTP Basic auth. */
  accounts: Record<string, string>;
}

interface FaultRule {
  operation: FakeTwilioOperation | '*';
  kind: 'fail' | 'delay';
  skip: number;
  remaining: number;
  error?: TwilioApiErrorSpec;
  delayMs?: number;
}

type Reply = { status: number; body: JsonRecord };

const TERMINAL_CALL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
const ROUTE = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\/(Calls|Messages|IncomingPhoneNumbers)(?:\/([^/]+?))?)?\.json$/;

export function twilioErrorBody(err: TwilioApiErrorSpec): JsonRecord {
  return {
    code: err.code,
    message: err.message,
    more_info: err.moreInfo ?? `https://www.twilio.com/docs/errors/${err.code}`,
    status: err.status,
  };
}

const error = (status: number, code: number, message: string): Reply => ({ status, body: twilioErrorBody({ status, code, message }) });
const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export class FakeTwilioApi {
  readonly requests: RecordedTwilioRequest[] = [];
  readonly calls = new Map<string, FakeCallRecord>();
  readonly messages = new Map<string, FakeMessageRecord>();
  readonly numbers = new Map<string, JsonRecord>();
  baseUrl = '';
  private rules: FaultRule[] = [];
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly server: http.Server;

  private constructor(private readonly options: FakeTwilioApiOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(twilioErrorBody({ status: 500, code: 20500, message: err.message })));
      });
    });
  }

  static async start(options: FakeTwilioApiOptions): Promise<FakeTwilioApi> {
    const api = new FakeTwilioApi(options);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = api.server.address() as AddressInfo;
    api.baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return api;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  requestsFor(operation: FakeTwilioOperation): RecordedTwilioRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  lastRequest(operation?: FakeTwilioOperation): RecordedTwilioRequest | undefined {
    const list = operation ? this.requestsFor(operation) : this.requests;
    return list[list.length - 1];
  }

  /** The next `times` requests of `operation` ('*' = any) fail with Twilio's error JSON. */
  failNext(operation: FakeTwilioOperation | '*', err: TwilioApiErrorSpec, times = 1): void {
    this.rules.push({ operation, kind: 'fail', skip: 0, remaining: times, error: err });
  }

  /** The n-th request of `operation` from now on (1 = the next one) fails. */
  failOnNth(operation: FakeTwilioOperation | '*', n: number, err: TwilioApiErrorSpec): void {
    this.rules.push({ operation, kind: 'fail', skip: Math.max(0, n - 1), remaining: 1, error: err });
  }

  /** Holds the next `times` requests of `operation` for `ms` before answering (to provoke client timeouts). */
  delayNext(operation: FakeTwilioOperation | '*', ms: number, times = 1): void {
    this.rules.push({ operation, kind: 'delay', skip: 0, remaining: times, delayMs: ms });
  }

  clearFaults(): void {
    this.rules = [];
  }

  /** Forgets recorded requests and faults; resources stay. */
  reset(): void {
    this.requests.length = 0;
    this.clearFaults();
  }

  /** Seeds an IncomingPhoneNumber owned by `seed.accountSid` (default: the first account). */
  addNumber(seed: IncomingNumberSeed): JsonRecord {
    const resource = buildIncomingNumberResource({
      ...seed,
      sid: seed.sid ?? newTwilioSid('PN'),
      accountSid: seed.accountSid ?? Object.keys(this.options.accounts)[0],
      now: new Date(),
    });
    this.numbers.set(resource.sid as string, resource);
    return resource;
  }

  getCall(sid: string): FakeCallRecord | undefined {
    return this.calls.get(sid);
  }

  getMessage(sid: string): FakeMessageRecord | undefined {
    return this.messages.get(sid);
  }

  /** By PN sid or by E.164 number. */
  getNumber(sidOrPhone: string): JsonRecord | undefined {
    return this.numbers.get(sidOrPhone) ?? [...this.numbers.values()].find((n) => n.phone_number === sidOrPhone);
  }

  /** Moves a call along (e.g. 'ringing' → 'in-progress') as Twilio would while it runs. */
  setCallStatus(sid: string, status: string, fields: JsonRecord = {}): JsonRecord {
    const call = this.calls.get(sid);
    if (!call) throw new Error(`Unknown call ${sid}`);
    this.transitionCall(call.resource, status);
    Object.assign(call.resource, fields);
    return call.resource;
  }

  setMessageStatus(sid: string, status: string, fields: JsonRecord = {}): JsonRecord {
    const msg = this.messages.get(sid);
    if (!msg) throw new Error(`Unknown message ${sid}`);
    Object.assign(msg.resource, { status, date_updated: formatRfc2822() }, fields);
    return msg.resource;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake.twilio');
    const method = (req.method ?? 'GET').toUpperCase();
    const match = ROUTE.exec(url.pathname);
    const operation = operationFor(method, match);
    const record: RecordedTwilioRequest = {
      method,
      path: url.pathname,
      operation,
      form: parseForm(Buffer.concat(chunks).toString('utf8')),
      query: parseForm(url.search.slice(1)),
      auth: parseBasicAuth(req.headers.authorization),
      headers: req.headers,
      receivedAt: new Date(),
    };
    this.requests.push(record);
    const reply = await this.answer(record, match);
    record.status = reply.status;
    if (res.destroyed) return; // the client gave up (timeout test)
    res.writeHead(reply.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Twilio-Request-Id': newTwilioSid('RQ'),
    });
    res.end(JSON.stringify(reply.body));
  }

  private async answer(r: RecordedTwilioRequest, match: RegExpExecArray | null): Promise<Reply> {
    if (!r.auth || this.options.accounts[r.auth.username] !== r.auth.password) {
      return error(401, 20003, 'Authenticate');
    }
    const notFound = error(404, 20404, `The requested resource ${r.path} was not found`);
    if (!match || r.operation === 'unknown' || match[1] !== r.auth.username) return notFound;

    const { delayMs, fault } = this.takeFaults(r.operation);
    if (delayMs) await this.sleep(delayMs);
    if (fault) return { status: fault.status, body: twilioErrorBody(fault) };

    const accountSid = match[1];
    const sid = match[3];
    switch (r.operation) {
      case 'accounts.fetch':
        return { status: 200, body: accountResource(accountSid) };
      case 'calls.create':
        return this.createCall(accountSid, r.form);
      case 'calls.fetch':
      case 'calls.update': {
        const call = this.calls.get(sid);
        if (!call || call.resource.account_sid !== accountSid) return notFound;
        return r.operation === 'calls.fetch' ? { status: 200, body: call.resource } : this.updateCall(call, r.form);
      }
      case 'messages.create':
        return this.createMessage(accountSid, r.form);
      case 'messages.fetch': {
        const msg = this.messages.get(sid);
        return msg && msg.resource.account_sid === accountSid ? { status: 200, body: msg.resource } : notFound;
      }
      case 'incomingPhoneNumbers.list':
        return { status: 200, body: this.listNumbers(accountSid, r.query) };
      case 'incomingPhoneNumbers.fetch':
      case 'incomingPhoneNumbers.update': {
        const number = this.numbers.get(sid);
        if (!number || number.account_sid !== accountSid) return notFound;
        if (r.operation === 'incomingPhoneNumbers.update') updateNumber(number, r.form);
        return { status: 200, body: number };
      }
      default:
        return notFound;
    }
  }

  private createCall(accountSid: string, form: TwilioParams): Reply {
    const to = single(form.To);
    const from = single(form.From);
    if (!to) return error(400, 21201, "No 'To' number is specified");
    if (!from) return error(400, 21213, "No 'From' number is specified");
    if (!form.Url && !form.Twiml && !form.ApplicationSid) return error(400, 21205, 'Url parameter is required');
    const number = [...this.numbers.values()].find((n) => n.phone_number === from && n.account_sid === accountSid);
    const resource = buildCallResource({
      sid: newTwilioSid('CA'),
      accountSid,
      to,
      from,
      phoneNumberSid: (number?.sid as string | undefined) ?? null,
      now: new Date(),
    });
    this.calls.set(resource.sid as string, { resource, createParams: form, updates: [] });
    return { status: 201, body: resource };
  }

  private updateCall(call: FakeCallRecord, form: TwilioParams): Reply {
    const status = single(form.Status);
    const current = call.resource.status as string;
    if ((form.Url || form.Twiml) && TERMINAL_CALL_STATUSES.has(current)) {
      return error(400, 21220, 'Call is not in-progress. Cannot redirect.');
    }
    if (status && status !== 'completed' && status !== 'canceled') {
      return error(400, 20001, `Invalid Status: ${status}`);
    }
    call.updates.push(form);
    if (status === 'completed' && !TERMINAL_CALL_STATUSES.has(current)) this.transitionCall(call.resource, 'completed');
    // Twilio only cancels calls that have not been answered yet.
    if (status === 'canceled' && (current === 'queued' || current === 'ringing')) this.transitionCall(call.resource, 'canceled');
    call.resource.date_updated = formatRfc2822();
    return { status: 200, body: call.resource };
  }

  private transitionCall(resource: JsonRecord, status: string): void {
    const now = new Date();
    if (status === 'in-progress' && !resource.start_time) resource.start_time = formatRfc2822(now);
    if (TERMINAL_CALL_STATUSES.has(status) && !resource.end_time) {
      resource.end_time = formatRfc2822(now);
      const started = resource.start_time ? Date.parse(resource.start_time as string) : now.getTime();
      resource.duration = String(Math.max(0, Math.round((now.getTime() - started) / 1000)));
    }
    resource.status = status;
    resource.date_updated = formatRfc2822(now);
  }

  private createMessage(accountSid: string, form: TwilioParams): Reply {
    const to = single(form.To);
    const from = single(form.From) ?? null;
    const messagingServiceSid = single(form.MessagingServiceSid) ?? null;
    const body = single(form.Body) ?? '';
    const media = form.MediaUrl === undefined ? [] : ([] as string[]).concat(form.MediaUrl);
    if (!to) return error(400, 21604, "A 'To' phone number is required.");
    if (!from && !messagingServiceSid) return error(400, 21603, "A 'From' phone number is required.");
    if (!body && media.length === 0 && !form.ContentSid) return error(400, 21602, 'Message body is required.');
    if (body.length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const resource = buildMessageResource({
      sid: newTwilioSid(media.length ? 'MM' : 'SM'),
      accountSid,
      to,
      from,
      body,
      numMedia: media.length,
      messagingServiceSid,
      now: new Date(),
    });
    this.messages.set(resource.sid as string, { resource, createParams: form });
    return { status: 201, body: resource };
  }

  // The SDK's Page reads the records key plus these meta fields and follows next_page_uri.
  private listNumbers(accountSid: string, query: TwilioParams): JsonRecord {
    const phoneFilter = single(query.PhoneNumber);
    const friendlyName = single(query.FriendlyName);
    const pageSize = Math.min(1000, Math.max(1, Number(single(query.PageSize) ?? 50) || 50));
    const page = Math.max(0, Number(single(query.Page) ?? 0) || 0);
    const matches = [...this.numbers.values()].filter(
      (n) =>
        n.account_sid === accountSid &&
        (!phoneFilter || phoneMatches(n.phone_number as string, phoneFilter)) &&
        (!friendlyName || n.friendly_name === friendlyName),
    );
    const records = matches.slice(page * pageSize, (page + 1) * pageSize);
    const base = `/${TWILIO_API_VERSION}/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
    const pageUri = (p: number) => {
      const q = new URLSearchParams();
      if (phoneFilter) q.set('PhoneNumber', phoneFilter);
      if (friendlyName) q.set('FriendlyName', friendlyName);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(p));
      return `${base}?${q.toString()}`;
    };
    const start = page * pageSize;
    return {
      incoming_phone_numbers: records,
      end: records.length ? start + records.length - 1 : start,
      first_page_uri: pageUri(0),
      next_page_uri: start + records.length < matches.length ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start,
      uri: pageUri(page),
    };
  }

  private takeFaults(operation: FakeTwilioOperation): { delayMs?: number; fault?: TwilioApiErrorSpec } {
    let delayMs: number | undefined;
    let fault: TwilioApiErrorSpec | undefined;
    for (const rule of [...this.rules]) {
      if (rule.operation !== operation && rule.operation !== '*') continue;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      if (rule.kind === 'delay' ? delayMs !== undefined : fault !== undefined) continue;
      if (rule.kind === 'delay') delayMs = rule.delayMs;
      else fault = rule.error;
      if (--rule.remaining <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
    }
    return { delayMs, fault };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
      };
      this.timers.add(entry);
    });
  }
}

function operationFor(method: string, match: RegExpExecArray | null): FakeTwilioOperation {
  if (!match) return 'unknown';
  const [, , collection, sid] = match;
  if (!collection) return method === 'GET' ? 'accounts.fetch' : 'unknown';
  const name = collection === 'Calls' ? 'calls' : collection === 'Messages' ? 'messages' : 'incomingPhoneNumbers';
  if (!sid) {
    if (method === 'GET' && name === 'incomingPhoneNumbers') return 'incomingPhoneNumbers.list';
    if (method === 'POST' && name !== 'incomingPhoneNumbers') return `${name}.create` as FakeTwilioOperation;
    return 'unknown';
  }
  if (method === 'GET') return `${name}.fetch` as FakeTwilioOperation;
  if (method === 'POST' && name !== 'messages') return `${name}.update` as FakeTwilioOperation;
  return 'unknown';
}

function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Twilio matches partial numbers and '*' as any single digit. */
function phoneMatches(phone: string, filter: string): boolean {
  const pattern = filter
    .trim()
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '\\d');
  return new RegExp(pattern).test(phone);
}

function updateNumber(number: JsonRecord, form: TwilioParams): void {
  for (const [key, value] of Object.entries(form)) {
    if (!INCOMING_NUMBER_UPDATABLE.has(key)) continue;
    const v = single(value) ?? '';
    number[pascalToSnake(key)] = key === 'VoiceCallerIdLookup' ? v === 'true' : v;
  }
  number.date_updated = formatRfc2822();
}

function accountResource(accountSid: string): JsonRecord {
  const base = `/${TWILIO_API_VERSION}/Accounts/${accountSid}`;
  return {
    auth_token: null,
    date_created: formatRfc2822(new Date(0)),
    date_updated: formatRfc2822(new Date(0)),
    friendly_name: 'Fake Twilio account',
    owner_account_sid: accountSid,
    sid: accountSid,
    status: 'active',
    subresource_uris: { calls: `${base}/Calls.json`, messages: `${base}/Messages.json`, incoming_phone_numbers: `${base}/IncomingPhoneNumbers.json` },
    type: 'Full',
    uri: `${base}.json`,
  };
}
