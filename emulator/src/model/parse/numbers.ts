/**
 * Numbers as people write them in requests, with what is next to them: "4 people", "a party of six",
 * "$20", "100 dollars", "EUR 50", "5 km", "30 minutes", "1,250.50", "-3". A currency becomes its ISO 4217
 * code, a unit its own word as written ("km", "miles"), so a tool's schema can say which it wants.
 */
import type { Span } from "./spans.ts";

export interface NumberSpan extends Span {
  value: number;
  /** The word right after the number ("people", "km", "minutes"), lower-cased, when there is one. */
  unit?: string;
  /** Where the number itself ends (before its unit). */
  valueEnd: number;
  /** ISO 4217 code when a currency word or symbol is next to the number. */
  currency?: string;
}

/** Numbers written as words ("four", "twenty"), shared by every skill that reads counts. */
export const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  a: 1,
  an: 1,
  couple: 2,
  dozen: 12,
  half: 0.5,
};

/** Currency words and symbols → ISO 4217. */
export const CURRENCIES: Record<string, string> = {
  $: "USD",
  usd: "USD",
  dollar: "USD",
  dollars: "USD",
  bucks: "USD",
  "€": "EUR",
  eur: "EUR",
  euro: "EUR",
  euros: "EUR",
  "£": "GBP",
  gbp: "GBP",
  pound: "GBP",
  pounds: "GBP",
  sterling: "GBP",
  quid: "GBP",
  "¥": "JPY",
  jpy: "JPY",
  yen: "JPY",
  chf: "CHF",
  franc: "CHF",
  francs: "CHF",
  nok: "NOK",
  sek: "SEK",
  dkk: "DKK",
  krone: "NOK",
  kroner: "NOK",
  kronor: "SEK",
  krona: "SEK",
  cad: "CAD",
  aud: "AUD",
  nzd: "NZD",
  cny: "CNY",
  yuan: "CNY",
  rmb: "CNY",
  inr: "INR",
  rupee: "INR",
  rupees: "INR",
  "₹": "INR",
  mxn: "MXN",
  peso: "MXN",
  pesos: "MXN",
  brl: "BRL",
  reais: "BRL",
  krw: "KRW",
  pln: "PLN",
  zloty: "PLN",
  zar: "ZAR",
  sgd: "SGD",
  hkd: "HKD",
};

/** Units of measure as people write them, for parameters that take a unit ("from_unit": "miles"). */
export const UNITS = new Set(
  (
    "km kilometre kilometres kilometer kilometers mile miles m metre metres meter meters cm mm ft foot feet " +
    "inch inches yard yards kg kilogram kilograms kilo kilos g gram grams lb lbs pound pounds oz ounce ounces " +
    "stone celsius fahrenheit kelvin °c °f l litre litres liter liters ml gallon gallons cup cups pint pints " +
    "mph kph km/h knots hour hours minute minutes second seconds day days week weeks month months year years " +
    "byte bytes kb mb gb tb acre acres hectare hectares"
  ).split(" "),
);

/** Words after a number that are not units ("4 at Luigi's", "5 and 6"). */
const NOT_UNITS = new Set(
  (
    "and or at in on to for from with by of the a an is are was were pm am o'clock than times please " +
    "today tonight tomorrow yesterday morning afternoon evening next this last monday tuesday wednesday " +
    "thursday friday saturday sunday january february march april may june july august september october " +
    "november december"
  ).split(" "),
);

const NUMERAL = String.raw`-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const WORD = Object.keys(NUMBER_WORDS)
  .filter((w) => w.length > 2)
  .join("|");
const SYMBOL = "[$€£¥₹]";
const PATTERN = new RegExp(
  String.raw`(?:(${SYMBOL})\s?)?(${NUMERAL}|\b(?:${WORD})(?:[ -](?:${WORD}))?\b)(?:\s?(k|m)\b)?(?:\s?([\p{L}°%][\p{L}'/.]*))?`,
  "giu",
);

export function numbers(text: string): NumberSpan[] {
  const out: NumberSpan[] = [];
  for (const m of text.matchAll(PATTERN)) {
    const [, symbol, raw = "", scale, after] = m;
    // Part of a word, a time ("19:30", "7pm") or a date ("2026-12-24"): not a number of its own.
    const before = text.slice(0, m.index);
    const next = text.slice(m.index + m[0].length);
    if (/[\p{L}\d_]$/u.test(before) && symbol === undefined && !/^\d/.test(raw)) continue;
    if (/^\d/.test(raw) && /[\d:/]$/.test(before)) continue;
    if (/^[:/]\d/.test(next) || /^(?:st|nd|rd|th)\b/i.test(after ?? "")) continue;
    if (/^-\d/.test(next)) continue;
    const value =
      parseValue(raw) * (scale?.toLowerCase() === "k" ? 1e3 : scale?.toLowerCase() === "m" ? 1e6 : 1);
    if (Number.isNaN(value)) continue;
    if (after !== undefined && /^(?:am|pm|a\.m|p\.m)\b/i.test(after)) continue;
    const word = after?.toLowerCase().replace(/[.]$/, "");
    const unitWord = word !== undefined && !NOT_UNITS.has(word) ? word : undefined;
    if (unitWord !== undefined && /^(?:am|pm|a\.m|p\.m)/.test(unitWord)) continue;
    // "a" or "an" alone is only a number before a unit we know ("an hour", "a dozen"): "a table" is not.
    if (/^(?:a|an)$/i.test(raw)) continue;
    const currency =
      (symbol !== undefined ? CURRENCIES[symbol] : undefined) ??
      (unitWord !== undefined ? CURRENCIES[unitWord] : undefined) ??
      currencyBefore(before);
    const bare = m.index + m[0].length - (after?.length ?? 0);
    const valueEnd = bare - (text.slice(m.index, bare).length - text.slice(m.index, bare).trimEnd().length);
    // "half an hour": a unit after "a" or "an" belongs to the number before them.
    const behind =
      unitWord === undefined && /^(?:a|an)$/i.test(after ?? "") ? /^\s+(\p{L}+)/u.exec(next) : null;
    const late = behind?.[1]?.toLowerCase();
    const lateUnit = late !== undefined && UNITS.has(late) ? late : undefined;
    const end =
      lateUnit !== undefined
        ? m.index + m[0].length + (behind?.[0].length ?? 0)
        : unitWord === undefined
          ? valueEnd
          : m.index + m[0].length;
    const span: NumberSpan = { text: text.slice(m.index, end), index: m.index, end, value, valueEnd };
    if (lateUnit !== undefined) span.unit = lateUnit;
    if (unitWord !== undefined && (CURRENCIES[unitWord] === undefined || UNITS.has(unitWord)))
      span.unit = unitWord;
    if (currency !== undefined) span.currency = currency;
    out.push(span);
  }
  return out;
}

/** "EUR 50", "USD 20": a currency code written before the number. */
function currencyBefore(before: string): string | undefined {
  const code = /\b([A-Za-z]{3})\s?$/.exec(before)?.[1]?.toLowerCase();
  return code !== undefined && code.length === 3 && CURRENCIES[code] !== undefined
    ? CURRENCIES[code]
    : undefined;
}

function parseValue(raw: string): number {
  if (/\d/.test(raw)) return Number(raw.replace(/,/g, ""));
  const parts = raw.toLowerCase().split(/[ -]/);
  let total = 0;
  for (const part of parts) {
    const n = NUMBER_WORDS[part];
    if (n === undefined) return Number.NaN;
    total = n === 100 ? Math.max(total, 1) * 100 : total + n;
  }
  return total;
}
