import { describe, expect, it } from '@jest/globals';
import { DEFAULT_KEYWORD_SETS, mergeKeywordSets } from './keyword-sets.js';
import type { LeadIntent, TranscriptTurn } from './lead.types.js';
import { analyseTranscript } from './transcript-analysis.js';

const user = (text: string): TranscriptTurn => ({ role: 'user', text });
const agent = (text: string): TranscriptTurn => ({ role: 'agent', text });

const PLUMBER_CALL: TranscriptTurn[] = [
  agent("Hi, you're through to Dave's Plumbing. How can I help today?"),
  user("Hi, yeah, my boiler's stopped working and there's no hot water. How much do you charge for a call-out?"),
  agent('Our call-out fee is £75, which includes the first hour. Would you like me to book an engineer?'),
  user("I'm not sure yet, I need to check with my wife. Can someone call me back tomorrow morning?"),
  agent('Of course. What is the best number to reach you on?'),
  user("This one's fine. Thanks, that's really helpful."),
];

const DENTIST_CALL: TranscriptTurn[] = [
  agent('Good morning, Smile Dental. How can I help?'),
  user("Hi, I chipped a tooth last night and it's quite painful. Do you have anything today?"),
  agent("I'm sorry to hear that. We have an emergency slot at 2:30pm today. Would you like me to book you in?"),
  user('Yes please, that would be perfect.'),
  agent('Great, can I take your name?'),
  user('Sarah Jones.'),
];

const SALON_CALL: TranscriptTurn[] = [
  agent('Hello, Glow Salon, how can I help?'),
  user("Hi, I've got a colour appointment on Thursday but I can't make it. I don't want to cancel, can I reschedule to Saturday?"),
  agent('Let me check. Saturday at 11 works. Shall I move it?'),
  user('Yes, lovely, thank you so much.'),
];

const COMPLAINT_CALL: TranscriptTurn[] = [
  agent('Hello, Glow Salon, how can I help?'),
  user("I had my hair coloured on Saturday and it's a fucking mess. This is ridiculous, I want a refund."),
  agent("I'm so sorry. Would you like to cancel your next appointment?"),
  user("No, don't cancel it, I'm not happy but I want it fixed. Just get the manager to call me back."),
];

const SPANISH_CALL: TranscriptTurn[] = [
  agent('Hello, how can I help?'),
  user('Hola, buenos días. Quiero una cita para el martes, por favor. ¿Cuánto cuesta la limpieza?'),
  agent('Sorry, could you repeat that?'),
  user('Sí, necesito una cita con el dentista. Gracias.'),
];

describe(analyseTranscript.name, () => {
  describe('realistic calls', () => {
    it.each([
      {
        name: 'plumber: price question and callback request',
        turns: PLUMBER_CALL,
        intents: ['ask_price', 'request_callback'],
        interests: ['emergency', 'pricing'],
        actions: ['price_asked', 'callback_requested'],
        sentiment: 'positive',
      },
      {
        name: 'dentist: accepts the agent booking offer, urgent',
        turns: DENTIST_CALL,
        intents: ['book_appointment'],
        interests: [],
        actions: ['appointment_wanted', 'urgent_follow_up'],
        sentiment: 'positive',
      },
      {
        name: 'salon: reschedule, explicitly not a cancellation',
        turns: SALON_CALL,
        intents: ['reschedule'],
        interests: ['booking'],
        actions: ['reschedule_requested'],
        sentiment: 'positive',
      },
      {
        name: 'salon: complaint with profanity and callback',
        turns: COMPLAINT_CALL,
        intents: ['complaint', 'request_callback'],
        interests: ['complaint'],
        actions: ['escalate_complaint', 'callback_requested'],
        sentiment: 'negative',
      },
    ])('should find $intents when $name', ({ turns, intents, interests, actions, sentiment }) => {
      const findings = analyseTranscript(turns);

      expect(findings.intents).toEqual(intents);
      expect(findings.interests).toEqual(interests);
      expect(findings.actionItems.map((a) => a.type)).toEqual(actions);
      expect(findings.sentiment).toBe(sentiment);
      expect(findings.languageHint).toBe('en');
    });

    it('should count turns and caller words', () => {
      const findings = analyseTranscript(PLUMBER_CALL);

      expect(findings).toMatchObject({ userTurnCount: 3, agentTurnCount: 3, humanTurnCount: 0, userWordCount: 45 });
    });

    it('should list matched keywords once, in order of first mention', () => {
      const findings = analyseTranscript([user('How much is a quote? And how much for an emergency visit?'), user('A quote by email is fine.')]);

      expect(findings.keywords).toEqual(['how much', 'quote', 'emergency']);
    });

    it('should quote the caller in action items', () => {
      const [price, callback] = analyseTranscript(PLUMBER_CALL).actionItems;

      expect(price.detail).toBe('Asked about pricing: "How much do you charge for a call-out?"');
      expect(callback.detail).toBe('Asked to be called back: "Can someone call me back tomorrow morning?"');
    });

    it('should quote the agent offer when the caller only said yes', () => {
      const [booking] = analyseTranscript(DENTIST_CALL).actionItems;

      expect(booking.detail).toBe('Wants to book an appointment (said yes to "Would you like me to book you in?")');
    });

    it('should mask e-mail addresses and phone numbers in quotes', () => {
      const [callback] = analyseTranscript([user('Call me back on 07700 900123 or email jo@example.co.uk.')]).actionItems;

      expect(callback.detail).toBe('Asked to be called back: "Call me back on [number] or email [email]."');
    });
  });

  describe('whose words count', () => {
    it('should not give agent-only talk any interest, intent or keyword', () => {
      const findings = analyseTranscript([
        agent('Hi! Would you like to book an appointment? Our prices start at £40.'),
        agent('Hello? Are you still there? I can send you a quote or call you back.'),
      ]);

      expect(findings).toMatchObject({
        keywords: [],
        interests: [],
        intents: [],
        actionItems: [],
        sentiment: 'neutral',
        sentimentScore: 0,
        userTurnCount: 0,
        agentTurnCount: 2,
        userWordCount: 0,
        languageHint: undefined,
      });
    });

    it.each<{ name: string; turns: TranscriptTurn[]; intents: LeadIntent[] }>([
      {
        name: 'a yes to an agent question',
        turns: [agent('Would you like a callback later today?'), user('Yeah, go on then.')],
        intents: ['request_callback'],
      },
      {
        name: 'a yes to a human operator question',
        turns: [{ role: 'human', text: 'Shall I book you in for Monday?' }, user('Sure, Monday works for me.')],
        intents: ['book_appointment'],
      },
      {
        name: 'a no to an agent question',
        turns: [agent('Would you like to book an appointment?'), user('No, I was just asking about something.')],
        intents: ['general_inquiry'],
      },
      {
        name: 'a yes after a statement, not a question',
        turns: [agent('You can book online any time.'), user('Yes, I know, I was wondering about parking.')],
        intents: ['general_inquiry'],
      },
      {
        name: 'a yes to an offer to cancel (too ambiguous to act on)',
        turns: [agent('Do you want to cancel?'), user('Yes, well, maybe, I am thinking about it.')],
        intents: ['general_inquiry'],
      },
    ])('should credit intents correctly after $name', ({ turns, intents }) => {
      expect(analyseTranscript(turns).intents).toEqual(intents);
    });
  });

  describe('negation', () => {
    it.each<{ text: string; has?: LeadIntent[]; hasNot?: LeadIntent[]; sentiment?: string }>([
      { text: "I'm not interested, thanks.", has: ['not_interested'], sentiment: 'negative' },
      { text: 'Please do not call me again.', has: ['not_interested'], hasNot: ['request_callback'] },
      { text: "Please don't cancel my appointment.", hasNot: ['cancel'] },
      { text: "I don't really want to cancel anything.", hasNot: ['cancel'] },
      { text: 'I don’t want to cancel.', hasNot: ['cancel'] }, // typographic apostrophe
      { text: "I don't want to cancel, I want to reschedule to Friday.", has: ['reschedule'], hasNot: ['cancel'] },
      { text: 'No I want to cancel my booking.', has: ['cancel'] }, // ASR dropped the comma after "No"
      { text: 'I want to cancel my appointment on Friday.', has: ['cancel'] },
      { text: 'I never asked for a quote.', hasNot: ['request_quote'] },
      { text: "It's not cheap but I'd like to book anyway.", has: ['book_appointment'] },
      { text: "I'm not happy with the repair you did.", has: ['complaint'], sentiment: 'negative' },
      { text: "Honestly it wasn't bad at all.", sentiment: 'neutral' },
      { text: 'The engineer was brilliant and really helpful.', sentiment: 'positive' },
    ])('should read "$text"', ({ text, has = [], hasNot = [], sentiment }) => {
      const findings = analyseTranscript([user(text)]);

      for (const intent of has) expect(findings.intents).toContain(intent);
      for (const intent of hasNot) expect(findings.intents).not.toContain(intent);
      if (sentiment) expect(findings.sentiment).toBe(sentiment);
    });
  });

  describe('matching', () => {
    it.each<{ text: string; intents: LeadIntent[] }>([
      { text: 'BOOKING!!! Tuesday please!!', intents: ['book_appointment'] },
      { text: 'HOW MUCH???', intents: ['ask_price'] },
      { text: 'price?', intents: ['ask_price'] },
      { text: 'Do you sell that bookshelf over there?', intents: ['general_inquiry'] },
      { text: 'Can I get a quotation,please', intents: ['request_quote'] },
      { text: 'The appointment was cancelled by mistake', intents: ['cancel'] },
      { text: '  \n  ', intents: [] },
    ])('should match "$text" on word boundaries, any case and punctuation', ({ text, intents }) => {
      expect(analyseTranscript([user(text)]).intents).toEqual(intents);
    });
  });

  describe('edge cases', () => {
    it.each<{ name: string; turns: TranscriptTurn[] }>([
      { name: 'an empty transcript', turns: [] },
      { name: 'blank caller turns', turns: [user(''), user('   ')] },
      { name: 'a null message from a tool-call turn', turns: [{ role: 'agent', text: null as unknown as string }] },
      { name: 'only punctuation and emoji', turns: [user('... ?!? 👍')] },
    ])('should return neutral findings for $name', ({ turns }) => {
      const findings = analyseTranscript(turns);

      expect(findings).toMatchObject({
        keywords: [],
        interests: [],
        intents: [],
        actionItems: [],
        sentiment: 'neutral',
        sentimentScore: 0,
        profanity: false,
        highIntent: false,
        userWordCount: 0,
        languageHint: undefined,
      });
    });

    it.each([
      { text: 'This is a fucking joke.', profanity: true },
      { text: 'What a load of bullshit!', profanity: true },
      { text: 'Esto es una mierda.', profanity: true },
      { text: 'Can you scrap the old boiler before my class assessment?', profanity: false },
    ])('should flag profanity=$profanity in "$text"', ({ text, profanity }) => {
      expect(analyseTranscript([user(text)]).profanity).toBe(profanity);
    });

    it('should not flag profanity spoken only by the agent', () => {
      expect(analyseTranscript([agent('Oh crap, sorry, let me check.'), user('No problem.')]).profanity).toBe(false);
    });

    it('should stay neutral on a Spanish call with the English defaults', () => {
      const findings = analyseTranscript(SPANISH_CALL);

      expect(findings).toMatchObject({
        languageHint: 'es',
        intents: ['general_inquiry'],
        interests: [],
        keywords: [],
        sentiment: 'neutral',
        profanity: false,
        userTurnCount: 2,
      });
    });

    it('should understand Spanish once a tenant adds Spanish keywords', () => {
      const spanishTenant = mergeKeywordSets(DEFAULT_KEYWORD_SETS, {
        interests: { limpieza_dental: ['limpieza'] },
        intents: { book_appointment: ['cita'], ask_price: ['cuánto cuesta', 'precio'] },
      });

      const findings = analyseTranscript(SPANISH_CALL, spanishTenant);

      expect(findings.intents).toEqual(['book_appointment', 'ask_price']);
      expect(findings.interests).toEqual(['limpieza_dental']);
      expect(findings.keywords).toEqual(['cita', 'cuánto cuesta', 'limpieza']);
    });

    it.each([
      { lang: 'en', text: 'Hi, I would like to know if you can fix my boiler this week please.' },
      { lang: 'fr', text: "Bonjour, je voudrais un rendez-vous pour mon chauffe-eau, c'est très urgent. Merci." },
      { lang: 'de', text: 'Guten Tag, ich habe ein Problem mit der Heizung und brauche bitte einen Termin.' },
      { lang: undefined, text: 'Ok thanks.' },
    ])('should guess language $lang', ({ lang, text }) => {
      expect(analyseTranscript([user(text)]).languageHint).toBe(lang);
    });
  });

  describe('determinism', () => {
    it('should return identical findings for identical input and not mutate it', () => {
      const turns = Object.freeze(PLUMBER_CALL.map((t) => Object.freeze({ ...t })));

      const first = analyseTranscript(turns);
      const second = analyseTranscript(turns);

      expect(second).toEqual(first);
      expect(turns).toEqual(PLUMBER_CALL);
    });
  });
});

describe(mergeKeywordSets.name, () => {
  it('should union tenant terms into the defaults without duplicates', () => {
    const merged = mergeKeywordSets(DEFAULT_KEYWORD_SETS, {
      interests: { boiler_repair: ['boiler', 'combi'], pricing: ['PRICE*', 'tariff'] },
      positive: ['Great', 'cheers'],
    });

    expect(merged.interests.boiler_repair).toEqual(['boiler', 'combi']);
    expect(merged.interests.pricing).toEqual([...DEFAULT_KEYWORD_SETS.interests.pricing, 'tariff']);
    expect(merged.positive).toEqual([...(DEFAULT_KEYWORD_SETS.positive ?? []), 'cheers']);
  });

  it('should drop an interest or intent given an empty list', () => {
    const merged = mergeKeywordSets(DEFAULT_KEYWORD_SETS, { interests: { emergency: [] }, intents: { complaint: [] } });

    expect(Object.keys(merged.interests)).not.toContain('emergency');
    expect(Object.keys(merged.intents ?? {})).not.toContain('complaint');
    expect(analyseTranscript([user('It is an emergency, I want to complain.')], merged).interests).not.toContain('emergency');
  });

  it.each([undefined, null])('should return the defaults for %p overrides', (overrides) => {
    expect(mergeKeywordSets(DEFAULT_KEYWORD_SETS, overrides)).toBe(DEFAULT_KEYWORD_SETS);
  });

  it('should not mutate either input', () => {
    const before = JSON.stringify(DEFAULT_KEYWORD_SETS);
    const overrides = { interests: { pricing: ['tariff'] } };

    mergeKeywordSets(DEFAULT_KEYWORD_SETS, overrides);

    expect(JSON.stringify(DEFAULT_KEYWORD_SETS)).toBe(before);
    expect(overrides).toEqual({ interests: { pricing: ['tariff'] } });
  });
});
