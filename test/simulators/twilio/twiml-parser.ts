// Parses the TwiML our app returns into the verbs a test cares about, keeping document order.
// Verb/attribute names follow https://www.twilio.com/docs/voice/twiml (docs/protocols.md §2.1).
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface TwimlNode {
  name: string;
  attributes: Record<string, string>;
  /** Direct text content, trimmed ('' when none). */
  text: string;
  children: TwimlNode[];
}

export interface TwimlStream {
  url: string;
  name?: string;
  track?: string;
  statusCallback?: string;
  statusCallbackMethod?: string;
  /** `<Parameter name value/>` children, delivered by Twilio as `start.customParameters`. */
  parameters: Record<string, string>;
  attributes: Record<string, string>;
}

export interface ParsedTwiml {
  raw: string;
  /** Children of `<Response>`, in order. */
  verbs: TwimlNode[];
  say?: string[];
  play?: string[];
  message?: string[];
  hangup: boolean;
  reject?: { reason?: string };
  dial?: { number?: string; action?: string; method?: string; callerId?: string; attributes: Record<string, string> };
  connect?: { action?: string; method?: string; stream?: TwimlStream; attributes: Record<string, string> };
  /** Unidirectional fork (`<Start><Stream>`). */
  start?: { stream?: TwimlStream };
  redirect?: { url: string; method?: string };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Keep '+15551234567' and '007' as strings.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedEntry = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNodes(entries: OrderedEntry[]): TwimlNode[] {
  const nodes: TwimlNode[] = [];
  for (const entry of entries) {
    const name = Object.keys(entry).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    const inner = (entry[name] as OrderedEntry[]) ?? [];
    const text = inner
      .filter((c) => '#text' in c)
      .map((c) => String(c['#text']))
      .join('');
    nodes.push({ name, attributes: { ...(entry[':@'] ?? {}) }, text, children: toNodes(inner) });
  }
  return nodes;
}

function toStream(node: TwimlNode | undefined): TwimlStream | undefined {
  if (!node) return undefined;
  const a = node.attributes;
  const parameters: Record<string, string> = {};
  for (const p of node.children.filter((c) => c.name === 'Parameter')) {
    if (p.attributes.name !== undefined) parameters[p.attributes.name] = p.attributes.value ?? '';
  }
  return {
    url: a.url,
    name: a.name,
    track: a.track,
    statusCallback: a.statusCallback,
    statusCallbackMethod: a.statusCallbackMethod,
    parameters,
    attributes: a,
  };
}

const texts = (verbs: TwimlNode[], name: string): string[] | undefined => {
  const found = verbs.filter((v) => v.name === name).map((v) => v.text);
  return found.length ? found : undefined;
};

/** Throws when the body is not well-formed XML with a `<Response>` root. */
export function parseTwiml(raw: string): ParsedTwiml {
  const valid = XMLValidator.validate(raw);
  if (valid !== true) throw new Error(`Invalid TwiML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = toNodes(parser.parse(raw) as OrderedEntry[]);
  if (root.length !== 1 || root[0].name !== 'Response') throw new Error('Invalid TwiML: root element must be <Response>');
  const verbs = root[0].children;
  const find = (name: string) => verbs.find((v) => v.name === name);

  const result: ParsedTwiml = {
    raw,
    verbs,
    say: texts(verbs, 'Say'),
    play: texts(verbs, 'Play'),
    message: texts(verbs, 'Message'),
    hangup: verbs.some((v) => v.name === 'Hangup'),
  };
  const reject = find('Reject');
  if (reject) result.reject = { reason: reject.attributes.reason };
  const dial = find('Dial');
  if (dial) {
    const target = dial.children.find((c) => ['Number', 'Client', 'Sip', 'Conference', 'Queue'].includes(c.name));
    result.dial = {
      number: dial.text || target?.text || undefined,
      action: dial.attributes.action,
      method: dial.attributes.method,
      callerId: dial.attributes.callerId,
      attributes: dial.attributes,
    };
  }
  const connect = find('Connect');
  if (connect) {
    result.connect = {
      action: connect.attributes.action,
      method: connect.attributes.method,
      stream: toStream(connect.children.find((c) => c.name === 'Stream')),
      attributes: connect.attributes,
    };
  }
  const start = find('Start');
  if (start) result.start = { stream: toStream(start.children.find((c) => c.name === 'Stream')) };
  const redirect = find('Redirect');
  if (redirect) result.redirect = { url: redirect.text, method: redirect.attributes.method };
  return result;
}
