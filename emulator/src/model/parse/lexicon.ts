/**
 * A small lexicon of related words, so a request can reach a tool that never uses its words: "How warm is
 * it in Oslo?" reaches get_weather, "a table for two" reaches book_restaurant. Each line is one family;
 * a word of the request and a word of a tool are related when some family holds both (compared by stem).
 * It is deliberately short and general (everyday topics people give agents tools for), and it is the
 * only place to add to when a new kind of tool should be found by words it does not contain. A family
 * holds topic words, not actions: "convert" in both the money and the units family would make "degrees"
 * reach a currency converter.
 */
import { sameStem, stem } from "./words.ts";

const FAMILIES = [
  "weather temperature forecast warm cold hot chilly freezing rain raining rainy snow snowing sunny sun wind windy humid humidity umbrella degrees cloudy storm climate wear jacket coat outside",
  "train rail railway departure depart leave leaves station platform timetable journey trip commute",
  "flight fly flying flew plane airline airport",
  "book booking reserve reservation table seat party",
  "restaurant dinner lunch breakfast brunch eat dine dining meal bistro cafe table sushi pizza pasta curry tapas",
  "taxi cab ride rideshare uber lift pickup driver chauffeur",
  "hotel room stay night accommodation lodging",
  "exchange rate currency money dollar euro pound yen krone franc rupee usd eur gbp jpy chf cad aud nok sek",
  "unit mile kilometre kilometer km meter metre feet foot inch centimetre kilogram kg pound lb ounce gram celsius fahrenheit degree degrees litre liter gallon",
  "remind reminder alarm alert notify notification wake",
  "thermostat heating heater heat warm warmer cool cooler degrees temperature",
  "calendar meeting event appointment schedule invite agenda",
  "email mail message send write inbox",
  "time clock timezone hour",
  "stock share shares ticker market price quote trading trade worth",
  "translate translation language",
  "news headline headlines article",
  "distance far route directions drive driving walk travel",
  "order package parcel delivery shipping ship track tracking",
  "todo task list chore",
  "note notes jot memo",
  "price cost pay payment spend expensive cheap",
  "movie film cinema showtime",
  "recipe cook cooking ingredient dish",
  "invoice bill billing charge",
  "air quality pollution polluted aqi smog pollen",
  "timer countdown",
  "job jobs vacancy vacancies hiring career position opening",
  "doctor dentist dermatologist optician physician gp clinic checkup toothache",
  "vacuum hoover vacuuming hoovering cleaner",
  "medicine medicines medication meds drug drugs pill pills tablet tablets prescription pharmacy pharmacist painkiller",
  "light lights lighting lamp lamps dark bright",
  "expense expenses reimbursement reimburse receipt claim",
  "interaction interactions interact mix mixing combine combined together",
];

const STEMMED = FAMILIES.map((line) => line.split(" ").map(stem));

/** Every word of the lexicon as written, for recognizing a typing slip of one ("tempature"). */
export const LEXICON_WORDS = [...new Set(FAMILIES.flatMap((line) => line.split(" ")))];

/** Are two stems related through a family (and not simply the same word)? */
export function related(a: string, b: string): boolean {
  return STEMMED.some((family) => family.some((s) => sameStem(s, a)) && family.some((s) => sameStem(s, b)));
}

/**
 * Languages people ask to translate into, by their English names: a value of a parameter about a
 * language ("in german" → German), kept out of the families so that they stay values, not tool words.
 */
export const LANGUAGES = new Set(
  (
    "english french german spanish italian portuguese dutch swedish norwegian danish finnish icelandic polish " +
    "czech slovak hungarian romanian bulgarian greek turkish russian ukrainian arabic hebrew persian farsi " +
    "hindi urdu bengali punjabi tamil thai vietnamese indonesian malay tagalog chinese mandarin cantonese " +
    "japanese korean swahili afrikaans welsh irish catalan basque croatian serbian slovenian estonian latvian " +
    "lithuanian latin esperanto"
  ).split(" "),
);
