import type { KeywordSet, KeywordSetOverrides } from './lead.types.js';
import { compileTerms } from './text-matching.js';

// Generic English vocabulary for a service business (trades, clinics, salons). Tenants add their
// own services and languages on top with mergeKeywordSets(). Kept as data so a tenant admin UI can
// show exactly what triggers what.
export const DEFAULT_KEYWORD_SETS: KeywordSet = {
  interests: {
    pricing: ['price*', 'pricing', 'cost', 'costs', 'how much', 'fee', 'fees', 'charge', 'charges', 'rates', 'expensive', 'cheap*', 'afford*'],
    booking: ['book', 'booking', 'appointment', 'appointments', 'schedule', 'slot', 'slots', 'availability', 'available'],
    quote: ['quote', 'quotes', 'quotation', 'estimate', 'estimates'],
    emergency: ['emergency', 'urgent*', 'flood*', 'leak*', 'burst', 'no heating', 'no hot water', 'gas smell', 'smell gas', 'pain', 'bleeding'],
    complaint: ['complain*', 'complaint', 'refund', 'unhappy', 'still broken', 'still not fixed', 'manager'],
    cancellation: ['cancel*', 'call off'],
    // Bare day names are left out: "I came in on Saturday" is a date, not a question about hours.
    opening_hours: ['opening hours', 'open on', 'open at', 'open until', 'close at', 'what time do you', 'weekend hours'],
    location: ['address', 'where are you', 'located', 'parking', 'directions', 'postcode', 'zip code'],
    payment: ['pay', 'payment', 'card', 'cash', 'invoice', 'deposit', 'finance', 'insurance'],
  },
  intents: {
    ask_price: [
      'price*',
      'pricing',
      'how much',
      'cost',
      'costs',
      'fee',
      'fees',
      'charge',
      'charges',
      'hourly rate',
      'your rates',
      'call out charge',
      'call-out fee',
    ],
    request_quote: ['quote', 'quotes', 'quotation', 'estimate', 'ballpark'],
    book_appointment: [
      'book',
      'booking',
      'book me',
      'book in',
      'make an appointment',
      'an appointment',
      'get an appointment',
      'schedule a',
      'schedule an',
      'come out',
      'come round',
      'come over',
      'send someone',
      'fit me in',
      'any availability',
      'your availability',
      'free slot',
      'earliest',
      'when can you come',
      'reserve',
    ],
    request_callback: [
      'call me back',
      'call back',
      'callback',
      'ring me back',
      'ring back',
      'give me a call',
      'call me',
      'phone me',
      'get back to me',
      'contact me',
    ],
    send_information: ['send me', 'email me', 'text me', 'brochure', 'more information', 'more info', 'send over', 'send the details', 'price list'],
    reschedule: ['reschedul*', 'rebook', 'rearrange', 'move my appointment', 'change my appointment', 'different time', 'another day'],
    cancel: ['cancel*', 'call off'],
    complaint: [
      'complain*',
      'complaint',
      'not happy with',
      'unhappy with',
      'poor service',
      'terrible service',
      'still broken',
      'still not fixed',
      'still not working',
      'refund',
      'speak to a manager',
      'speak to the manager',
      'unacceptable',
    ],
    not_interested: [
      'not interested',
      'no longer interested',
      'stop calling',
      "don't call",
      'do not call',
      'remove me',
      'unsubscribe',
      'wrong number',
      'not for me',
    ],
  },
  // "thanks" is left out on purpose: it ends almost every call, whatever the mood.
  positive: [
    'great',
    'perfect',
    'brilliant',
    'excellent',
    'lovely',
    'wonderful',
    'amazing',
    'fantastic',
    'awesome',
    'happy',
    'pleased',
    'helpful',
    'appreciate*',
    'thank you so much',
    'love',
    'interested',
    'sounds good',
  ],
  negative: [
    'angry',
    'annoyed',
    'annoying',
    'frustrat*',
    'disappoint*',
    'terrible',
    'awful',
    'horrible',
    'useless',
    'ridiculous',
    'unacceptable',
    'worst',
    'bad',
    'unhappy',
    'upset',
    'rude',
    'waste of time',
    'never again',
    'fed up',
    'sick of',
  ],
  highIntent: [
    'asap',
    'as soon as possible',
    'urgent*',
    'emergency',
    'right away',
    'straight away',
    'today',
    'tonight',
    'ready to',
    'go ahead',
    'sign me up',
    'book it',
    "let's do it",
  ],
  profanity: [
    'fuck*',
    'motherfuck*',
    'shit*',
    'bullshit',
    'bastard*',
    'bitch*',
    'asshole*',
    'arsehole*',
    'wanker*',
    'bollocks',
    'crap',
    'ass',
    'piss off',
    'pissed off',
    'dickhead*',
    'mierda',
    'joder',
    'cabron*',
    'gilipollas',
    'putain',
    'merde',
    'scheisse',
  ],
  affirmative: [
    'yes',
    'yeah',
    'yep',
    'yup',
    'sure',
    'ok',
    'okay',
    'please',
    'definitely',
    'absolutely',
    'sounds good',
    'that would be great',
    'go ahead',
    'si',
    'claro',
    'vale',
    'oui',
    'ja',
  ],
};

/**
 * Tenant overrides extend the defaults: lists are unioned (defaults first, duplicates dropped),
 * record entries are unioned per label. An empty list for an interest or intent label removes it,
 * which is how a tenant switches a default off. Neither input is mutated.
 */
export function mergeKeywordSets(defaults: KeywordSet, overrides?: KeywordSetOverrides | null): KeywordSet {
  if (!overrides) return defaults;
  return {
    interests: mergeRecords(defaults.interests, overrides.interests),
    intents: mergeRecords(defaults.intents ?? {}, overrides.intents),
    positive: unionTerms(defaults.positive, overrides.positive),
    negative: unionTerms(defaults.negative, overrides.negative),
    highIntent: unionTerms(defaults.highIntent, overrides.highIntent),
    profanity: unionTerms(defaults.profanity, overrides.profanity),
    affirmative: unionTerms(defaults.affirmative, overrides.affirmative),
  };
}

function mergeRecords<K extends string>(
  base: Readonly<Partial<Record<K, readonly string[]>>>,
  extra: Readonly<Partial<Record<K, readonly string[]>>> | undefined,
): Record<K, string[]> {
  const merged = {} as Record<K, string[]>;
  const labels = [...Object.keys(base), ...Object.keys(extra ?? {})] as K[];
  for (const label of new Set(labels)) {
    const added = extra?.[label];
    if (added !== undefined && added.length === 0) continue;
    merged[label] = unionTerms(base[label], added);
  }
  return merged;
}

// Duplicates are detected on the normalised form, so "Cancel*" and "cancel*" are one term.
function unionTerms(base: readonly string[] = [], extra: readonly string[] = []): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const term of [...base, ...extra]) {
    const [compiled] = compileTerms([term]);
    if (!compiled) continue;
    const key = `${compiled.tokens.join(' ')}${compiled.prefix ? '*' : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(term);
  }
  return result;
}
