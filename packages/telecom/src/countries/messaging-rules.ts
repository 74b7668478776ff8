/**
 * Per-country messaging rules as data: when marketing may be sent (in the recipient's time zone),
 * the opt-out wording a country requires, and content a country blocks. Every entry cites its
 * source. The functions that read them are in `./quiet-hours.ts`, `./opt-out.ts` and
 * `./content.ts`.
 */
import type { MessagePurpose, Sourced } from "./sourced.js";

// ── Sending windows ─────────────────────────────────────────────────────────────────────────

/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface SendingWindow {
  days: readonly Weekday[];
  /** "HH:MM" local, inclusive. */
  start: string;
  /** "HH:MM" local, exclusive; later than start (windows do not span midnight). */
  end: string;
}

/** How binding a window is. */
export type Binding = "law" | "carrier" | "recommended";

export interface SendingHoursRule extends Sourced {
  country: string;
  purposes: readonly MessagePurpose[];
  binding: Binding;
  /** When sending is allowed; outside every window is quiet. Days without a window are quiet all day. */
  windows: readonly SendingWindow[];
  /** Fixed-date public holidays ("MM-DD") that are quiet all day; movable feasts are not listed. */
  closed_dates?: readonly string[];
}

const WEEKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5];
const EVERY_DAY: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];

const DAYTIME_ADVICE =
  "Twilio's guidelines for every country: 'Only communicate during an end user's daytime hours unless it is urgent.' The hours are ours.";

export const SENDING_HOURS: readonly SendingHoursRule[] = [
  {
    country: "US",
    purposes: ["marketing"],
    binding: "law",
    windows: [{ days: EVERY_DAY, start: "08:00", end: "20:00" }],
    source: "https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200",
    confidence: "medium",
    note: "The TCPA allows solicitations 08:00-21:00; Florida (Fla. Stat. 501.059), Oklahoma and Maryland end at 20:00, and without the recipient's state we take the stricter hour.",
  },
  {
    country: "CA",
    purposes: ["marketing"],
    binding: "law",
    windows: [
      { days: WEEKDAYS, start: "09:00", end: "21:30" },
      { days: [0, 6], start: "10:00", end: "18:00" },
    ],
    source: "https://crtc.gc.ca/eng/trules-reglest.htm",
    confidence: "low",
    note: "The CRTC's Unsolicited Telecommunications Rules set these hours for telemarketing; whether they bind SMS is not settled. CASL sets no hours.",
  },
  {
    country: "FR",
    purposes: ["marketing"],
    binding: "carrier",
    windows: [
      { days: WEEKDAYS, start: "08:00", end: "20:00" },
      { days: [6], start: "10:00", end: "18:00" },
    ],
    closed_dates: ["01-01", "05-01", "05-08", "07-14", "08-15", "11-01", "11-11", "12-25"],
    source:
      "https://help.goacoustic.com/hc/en-us/articles/360043722874-Send-promotional-SMS-messages-to-France",
    confidence: "medium",
    note: "French carriers block marketing at night, on Sundays and on public holidays. Sources differ on the evening limit (20:00 or 22:00) and on Saturdays; this is the strictest reading. Easter Monday, Ascension and Whit Monday move and are not listed.",
  },
  {
    country: "BR",
    purposes: ["marketing"],
    binding: "carrier",
    windows: [{ days: EVERY_DAY, start: "09:00", end: "22:00" }],
    source: "https://help.twilio.com/articles/4425028701467",
    confidence: "medium",
    note: "Twilio's Brazil short-code best practices: marketing 09:00-22:00, at most 7 messages per user per week, unless the user agreed otherwise.",
  },
  {
    country: "MX",
    purposes: ["marketing"],
    binding: "recommended",
    windows: [{ days: EVERY_DAY, start: "09:00", end: "21:00" }],
    source: "https://www.twilio.com/en-us/guidelines/mx/sms",
    confidence: "high",
    note: "'It is best practice not to send messages between 9PM and 9AM.' Some short-code providers reject marketing from 20:30.",
  },
  {
    country: "IN",
    purposes: ["marketing"],
    binding: "recommended",
    windows: [{ days: EVERY_DAY, start: "09:00", end: "21:00" }],
    source: "https://www.twilio.com/en-us/guidelines/in/sms",
    confidence: "low",
    note: "Twilio's ILDO route delivers without time-of-day restrictions; India's domestic promotional traffic (TRAI TCCCPR 2018) runs 09:00-21:00, which we keep.",
  },
  ...["GB", "DE", "ES", "AU"].map(
    (country): SendingHoursRule => ({
      country,
      purposes: ["marketing"],
      binding: "recommended",
      windows: [{ days: EVERY_DAY, start: "08:00", end: "21:00" }],
      source: `https://www.twilio.com/en-us/guidelines/${country.toLowerCase()}/sms`,
      confidence: "medium",
      note: `No statutory hours for SMS found. ${DAYTIME_ADVICE}`,
    }),
  ),
];

/** Countries without data: daytime only, as Twilio advises everywhere. */
export const DEFAULT_SENDING_HOURS: Omit<SendingHoursRule, "country"> = {
  purposes: ["marketing"],
  binding: "recommended",
  windows: [{ days: EVERY_DAY, start: "08:00", end: "21:00" }],
  source: "https://www.twilio.com/docs/messaging/guides/sending-international-sms-guide",
  confidence: "low",
  note: DAYTIME_ADVICE,
};

// ── Opt-out wording ─────────────────────────────────────────────────────────────────────────

export interface OptOutRule extends Sourced {
  country: string;
  purposes: readonly MessagePurpose[];
  /** The wording is required by law or carriers (else recommended). */
  required: boolean;
  language: string;
  /** From a sender that takes replies. */
  two_way: string;
  /** From a one-way sender (alphanumeric ID): `{number}` is where STOP goes. */
  one_way: string;
  /** Keywords the wording offers, which the opt-out handling must honour. */
  keywords: readonly string[];
}

export const OPT_OUT_RULES: readonly OptOutRule[] = [
  {
    country: "FR",
    purposes: ["marketing"],
    required: true,
    language: "fr",
    two_way: "STOP au 36180",
    one_way: "STOP au 36180",
    keywords: ["STOP"],
    source: "https://www.twilio.com/en-us/guidelines/fr/sms",
    confidence: "medium",
    note: "French marketing SMS must offer a free 'STOP' to a short number; 36180 is the shared opt-out number Twilio uses for alphanumeric senders. A tenant's own short code replaces it ('STOP au <code>').",
  },
  {
    country: "US",
    purposes: ["marketing"],
    required: true,
    language: "en",
    two_way: "Reply STOP to opt out.",
    one_way: "Text STOP to {number} to opt out.",
    keywords: ["STOP"],
    source:
      "https://api.ctia.org/wp-content/uploads/2023/05/230523-CTIA-Messaging-Principles-and-Best-Practices-FINAL.pdf",
    confidence: "high",
  },
  {
    country: "CA",
    purposes: ["marketing"],
    required: true,
    language: "en",
    two_way: "Reply STOP to unsubscribe.",
    one_way: "Text STOP to {number} to unsubscribe.",
    keywords: ["STOP"],
    source: "https://crtc.gc.ca/eng/com500/faq500.htm",
    confidence: "medium",
    note: "CASL requires an unsubscribe mechanism in every commercial message; the wording is ours (French for Quebec: 'Répondez STOP pour vous désabonner').",
  },
  {
    country: "GB",
    purposes: ["marketing"],
    required: true,
    language: "en",
    two_way: "Reply STOP to opt out.",
    one_way: "Text STOP to {number} to opt out.",
    keywords: ["STOP"],
    source:
      "https://ico.org.uk/for-organisations/direct-marketing-and-privacy-and-electronic-communications/guide-to-pecr/electronic-and-telephone-marketing/electronic-mail-marketing/",
    confidence: "medium",
    note: "PECR: every marketing message gives a simple, free way to refuse further messages; the wording is ours.",
  },
  {
    country: "AU",
    purposes: ["marketing"],
    required: true,
    language: "en",
    two_way: "Reply STOP to opt out.",
    one_way: "Text STOP to {number} to opt out.",
    keywords: ["STOP"],
    source: "https://www.acma.gov.au/avoid-sending-spam",
    confidence: "high",
    note: "Spam Act 2003: a functional unsubscribe facility in every commercial message, honoured within 5 working days.",
  },
  {
    country: "DE",
    purposes: ["marketing"],
    required: true,
    language: "de",
    two_way: "Abmelden: Antworte STOP.",
    one_way: "Abmelden: STOP an {number}.",
    keywords: ["STOP"],
    source: "https://www.gesetze-im-internet.de/uwg_2004/__7.html",
    confidence: "low",
    note: "UWG §7(3): each message must say the recipient can object at any time at no more than basic cost; the wording is ours.",
  },
  {
    country: "ES",
    purposes: ["marketing"],
    required: true,
    language: "es",
    two_way: "Para darte de baja responde BAJA.",
    one_way: "Baja: envía BAJA al {number}.",
    keywords: ["BAJA", "STOP"],
    source: "https://www.boe.es/buscar/act.php?id=BOE-A-2002-13758",
    confidence: "low",
    note: "LSSI art. 20-21: commercial messages offer a simple, free opt-out; the wording is ours.",
  },
  {
    country: "BR",
    purposes: ["marketing"],
    required: true,
    language: "pt",
    two_way: "Responda SAIR para cancelar.",
    one_way: "Envie SAIR para {number} para cancelar.",
    keywords: ["SAIR", "PARE", "STOP"],
    source: "https://help.twilio.com/articles/4425028701467",
    confidence: "low",
    note: "Twilio's Brazil short-code best practices require an opt-out; the Portuguese keywords are common practice, not a quoted rule.",
  },
  {
    country: "MX",
    purposes: ["marketing"],
    required: true,
    language: "es",
    two_way: "Responde STOP para cancelar.",
    one_way: "Envía STOP al {number} para cancelar.",
    keywords: ["STOP", "BAJA"],
    source: "https://help.twilio.com/articles/1260800381110",
    confidence: "low",
    note: "Twilio's Mexico short-code best practices require opt-out (any form); the wording is ours.",
  },
  {
    country: "IN",
    purposes: ["marketing"],
    required: true,
    language: "en",
    two_way: "To opt out, reply STOP.",
    one_way: "To opt out, SMS STOP to {number}.",
    keywords: ["STOP"],
    source: "https://www.trai.gov.in/sites/default/files/RegulationUcc19072018.pdf",
    confidence: "low",
    note: "TRAI's TCCCPR 2018 asks promotional messages to carry an opt-out; on the DLT route the template registered on the portal must already include it.",
  },
];

/** Countries without data: STOP in English, recommended rather than required. */
export const DEFAULT_OPT_OUT: Omit<OptOutRule, "country"> = {
  purposes: ["marketing"],
  required: false,
  language: "en",
  two_way: "Reply STOP to opt out.",
  one_way: "Text STOP to {number} to opt out.",
  keywords: ["STOP"],
  source: "https://www.twilio.com/docs/messaging/guides/sending-international-sms-guide",
  confidence: "low",
  note: "Twilio advises HELP/STOP support in the recipient's language everywhere; add the country's rule for its language.",
};

// ── Blocked content ─────────────────────────────────────────────────────────────────────────

export type ContentCategory =
  | "gambling"
  | "cannabis"
  | "alcohol"
  | "firearms"
  | "loans"
  | "adult"
  | "political"
  | "religious"
  | "url_shortener"
  | "dlt_template";

/**
 * Terms that screen for a category (case-insensitive, whole words, after NFKC). A screen, not a
 * classifier: it catches the obvious and misses paraphrase; a match is worth a human look.
 * Religious content has no term list: too easy to match innocently.
 */
export const CATEGORY_TERMS: Readonly<Record<Exclude<ContentCategory, "dlt_template">, readonly string[]>> = {
  gambling: [
    "casino",
    "casinos",
    "cassino",
    "poker",
    "sportsbook",
    "betting",
    "apuesta",
    "apuestas",
    "aposta",
    "apostas",
    "jackpot",
    "lottery",
    "loteria",
    "lotería",
  ],
  cannabis: ["cannabis", "marijuana", "marihuana", "maconha", "weed", "thc", "cbd", "dispensary"],
  alcohol: [
    "beer",
    "wine",
    "vodka",
    "whisky",
    "whiskey",
    "tequila",
    "liquor",
    "cerveza",
    "cerveja",
    "mezcal",
  ],
  firearms: [
    "firearm",
    "firearms",
    "gun",
    "guns",
    "rifle",
    "rifles",
    "pistol",
    "pistols",
    "ammo",
    "ammunition",
  ],
  loans: [
    "loan",
    "loans",
    "payday",
    "préstamo",
    "préstamos",
    "prestamo",
    "prestamos",
    "empréstimo",
    "empréstimos",
  ],
  adult: ["porn", "porno", "xxx", "escort", "escorts", "sex"],
  political: ["vote for", "vota por", "vote em", "vote no candidato"],
  religious: [],
  url_shortener: [
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "t.ly",
  ],
};

export interface ContentRule extends Sourced {
  id: string;
  country: string;
  category: ContentCategory;
  /** Purposes the rule applies to; all when absent. */
  purposes?: readonly MessagePurpose[];
}

const IN_SMS = "https://www.twilio.com/en-us/guidelines/in/sms";
const MX_SMS = "https://www.twilio.com/en-us/guidelines/mx/sms";
const BR_RULES = "https://www.twilio.com/en-us/guidelines/br/rcs";
const MESSAGING_POLICY = "https://www.twilio.com/en-us/legal/messaging-policy";

const rules = (
  country: string,
  categories: readonly ContentCategory[],
  source: string,
  confidence: ContentRule["confidence"],
  note?: string,
): ContentRule[] =>
  categories.map((category) => ({
    id: `${country.toLowerCase()}_${category}`,
    country,
    category,
    source,
    confidence,
    ...(note ? { note } : {}),
  }));

export const CONTENT_RULES: readonly ContentRule[] = [
  ...rules(
    "IN",
    ["firearms", "gambling", "adult", "loans", "political", "religious", "cannabis", "alcohol"],
    IN_SMS,
    "high",
    "Twilio: 'strictly prohibited' on India's routes.",
  ),
  ...rules(
    "IN",
    ["url_shortener"],
    IN_SMS,
    "high",
    "Twilio: 'Sending messages with shortened URL is not allowed.'",
  ),
  {
    id: "in_dlt_template",
    country: "IN",
    category: "dlt_template",
    source: "https://help.twilio.com/articles/21162166457755",
    confidence: "high",
    note: "From a DLT-registered alphanumeric header, only templates approved on the DLT portal and whitelisted by the operators are delivered.",
  },
  ...rules(
    "MX",
    ["firearms", "gambling", "adult", "loans", "cannabis", "alcohol"],
    MX_SMS,
    "high",
    "Twilio: 'strictly prohibited' (with lead generation and Text 2 Pay, which words cannot catch).",
  ),
  ...rules(
    "MX",
    ["political"],
    MX_SMS,
    "high",
    "Carriers block numbers used to promote a candidate or cause.",
  ),
  ...rules(
    "BR",
    ["political", "religious", "adult", "gambling"],
    BR_RULES,
    "medium",
    "ANATEL-aligned carrier rules Twilio lists for short codes and RCS; licensed betting brands may be approved.",
  ),
  ...rules(
    "GB",
    ["cannabis"],
    "https://www.twilio.com/en-us/guidelines/gb/sms",
    "high",
    "Twilio: 'Sending cannabis related content is strictly prohibited.'",
  ),
  ...rules(
    "US",
    ["cannabis"],
    MESSAGING_POLICY,
    "medium",
    "US carriers refuse cannabis content on every sender type, legal in the state or not.",
  ),
  ...rules(
    "CA",
    ["cannabis"],
    MESSAGING_POLICY,
    "medium",
    "Twilio's messaging policy forbids cannabis content in the US and Canada.",
  ),
];
