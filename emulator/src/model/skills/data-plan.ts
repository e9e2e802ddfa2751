/**
 * From a question about a CSV to the analysis the lab model writes Python for. The question's words are
 * matched against the CSV's own header and labels (parse/columns.ts), then read for what is asked:
 *
 * - the measure: a numeric column ("revenue"), a ratio of two ("revenue per unit"), or rows ("how many
 *   tickets"); and how: total, average, median, minimum, maximum or count (words such as "total",
 *   "average", "highest", "how many"; without one, a total of an amount and an average of a level such
 *   as a temperature or a price, see LEVEL);
 * - groups: "by / per / for each / across <column>", or "which <column> …";
 * - filters: a label the question names ("in the West", "open tickets", "for S-3");
 * - ranking: "which <column> has the most …", "top 3 …", "the largest order";
 * - a chart: "bar/line chart of X by Y".
 *
 * It plans nothing when the question names no column and no label: then it says what it can do.
 */

import {
  type Column,
  type CsvProfile,
  type LabelMention,
  type Mention,
  nameWords,
  readQuestion,
  tokensOf,
} from "../parse/columns.ts";
import { NUMBER_WORDS } from "../parse/numbers.ts";
import { stem } from "../parse/words.ts";
import type { Aggregate, Analysis } from "./python-writer.ts";

export const CHART = /\b(?:chart|plot|graph|visuali[sz]e|draw|histogram)\b/i;

const AGGREGATE_WORDS: [Aggregate, RegExp][] = [
  ["mean", /\b(?:average|mean|avg|typical|typically|on average)\b/i],
  ["median", /\bmedian\b/i],
  ["count", /\b(?:how many|number of|count|counts)\b/i],
  ["sum", /\b(?:total|totals|sum|overall|altogether|combined|in all)\b/i],
];
const LARGEST =
  /\b(?:max|maximum|highest|largest|biggest|greatest|most|top|peak|hottest|warmest|longest|best|busiest|heaviest|priciest|most expensive)\b/i;
const SMALLEST =
  /\b(?:min|minimum|lowest|smallest|least|fewest|bottom|cheapest|coldest|shortest|worst|quietest|lightest)\b/i;
/** Columns that hold a level, not an amount: summed they mean nothing, so "the temperature" is its average. */
const LEVEL =
  /^(?:temperat|temp|humidit|pressur|price|rate|ratio|percent|pct|score|rating|age|speed|latenc|level|voltag|margin|accurac|averag|avg|mean|share|densit|efficie|satisfa|csat|nps|battery|signal|rssi|duration|wait|respons|resolut|delay|discount|utiliz|occupan|load|cpu|memory|moistur|ph|co2|pm25|noise)/;
const GROUP_CUES = new Set([
  "by",
  "per",
  "each",
  "every",
  "across",
  "for each",
  "in each",
  "grouped by",
  "broken down by",
  "split by",
]);

/** "compare North and South", "East vs West": each named value on its own, not their sum. */
const COMPARE = /\b(?:compare|compared|comparing|comparison|versus|vs\.?|difference between|each of)\b/i;
/** "the trend of revenue", "how did units develop": the measure along the date or time column. */
const TREND = /\b(?:trends?|trending|over time|evolv(?:e|ed|es|ing)|develop(?:ed|s)?)\b/i; // not "development": a team is called so
/** Chart kinds the code does not draw: a bar chart is drawn instead, and the answer says so. */
const UNDRAWN = /\b(scatter|area|radar|bubble|heat ?map)\s*(?:chart|plot|graph)?\b/i;

const SHARE = /\b(?:percent|percentage|share|proportion|fraction)\b|%/i;
const LOOKUP_VERB =
  /^(?:please\s+)?(?:what|which|who|whom|whose|when|where|how|show|list|find|give|get|display|look up|lookup|tell|can you|could you|is|are|does|do)\b/i;
const TIME_LIKE = /(?:year|month|week|day|quarter|hour|date)/i;
const ISO_DATE = /^\d{4}-\d{2}/;

export const isLevel = (column: Column) => column.words.some((w) => LEVEL.test(w));

export function planAnalysis(question: string, csv: string, profile: CsvProfile): Analysis | undefined {
  const tokens = tokensOf(question);
  const lower = tokens.map((t) => t.word.toLowerCase());
  const { mentions, labels } = readQuestion(question, profile.columns);
  const chart = CHART.test(question);
  const explicit = AGGREGATE_WORDS.find(([, re]) => re.test(question))?.[0];
  const superlative =
    SMALLEST.test(question) && !LARGEST.test(question)
      ? "smallest"
      : LARGEST.test(question)
        ? "largest"
        : undefined;
  if (mentions.length === 0 && labels.length === 0 && !chart) {
    // Nothing of the CSV named: only "how many rows / readings (of sensor-readings.csv)" is about it.
    const counted =
      /\b(?:how many|number of|count(?: of)?(?: the)?)\s+([\p{L}]+)/iu.exec(question)?.[1] ?? "";
    const fileWords = nameWords(csv.replace(/\.\w+$/, "")).map(stem);
    const aboutFile =
      /^(?:rows?|records?|entries|entry|lines?)$/i.test(counted) || fileWords.includes(stem(counted));
    if (explicit !== "count" || !aboutFile) return undefined;
  }

  // What the question words just before a mention are ("by region", "per unit", "which warehouse").
  const before = (m: { start: number }, n = 2) =>
    lower.slice(Math.max(0, m.start - n), m.start).filter((w) => w !== "the" && w !== "a");
  const cueBefore = (m: Mention) => {
    const words = before(m, 3);
    const last = words[words.length - 1] ?? "";
    const two = words.slice(-2).join(" ");
    return GROUP_CUES.has(two)
      ? two
      : GROUP_CUES.has(last) || last === "over" || last === "against"
        ? last
        : undefined;
  };

  let per: Column | undefined;
  let groupBy: Column | undefined;
  let groupCue: string | undefined;
  for (const [i, m] of mentions.entries()) {
    const cue = cueBefore(m);
    // "per vehicle type": of two names side by side after the cue, the one named in full.
    const next = mentions[i + 1];
    if (cue !== undefined && !m.complete && next?.complete && next.start === m.end && !next.column.numeric) {
      groupBy ??= next.column;
      continue;
    }
    // "minutes per ride" with one row per ride_id: each row is one, so nothing is grouped.
    if (cue === "per" && !m.column.numeric && m.column.labels.length === profile.rows) continue;
    if (
      cue === "per" &&
      m.column.numeric &&
      !chart &&
      mentions.some((o) => o.column.numeric && o.start < m.start)
    ) {
      per ??= m.column;
    } else if (cue !== undefined && (!m.column.numeric || chart || TIME_LIKE.test(m.column.name))) {
      if (groupBy === undefined) [groupBy, groupCue] = [m.column, cue];
    }
  }
  // "per month", "yearly": the month or year of a date column, when no column is called so.
  const periodWord = /\b(?:(?:per|by|each|every|a) (month|year)|(month|year)ly)\b/i.exec(question);
  const period = periodWord
    ? ((periodWord[1] ?? periodWord[2] ?? "").toLowerCase() as "month" | "year")
    : undefined;
  const dated = profile.columns.find(
    (c) => !c.numeric && c.labels.length > 0 && c.labels.every((l) => ISO_DATE.test(l)),
  );
  const byPeriod = period !== undefined && groupBy === undefined && dated !== undefined;
  if (byPeriod) groupBy = dated;
  // "the trend of revenue": along the dates, or a column named for time ("month", "week").
  const trend =
    TREND.test(question) && groupBy === undefined
      ? (dated ?? profile.columns.find((c) => !c.numeric && TIME_LIKE.test(c.name)))
      : undefined;
  if (trend) groupBy = trend;
  // Daily dates over more than two months trend by month ("2025-01"), as an analyst would plot them.
  const trendByMonth =
    trend !== undefined &&
    trend === dated &&
    dated.labels.some((l) => l.length > 7) &&
    new Set(dated.labels.map((l) => l.slice(0, 7))).size > 2;
  // "Which warehouse …", "what region …", "top 3 products": the groups that are ranked.
  const ranked = mentions.find((m) => {
    const words = before(m, 3);
    return (
      !m.column.numeric &&
      words.some(
        (w) =>
          w === "which" ||
          w === "what" ||
          w === "top" ||
          w === "bottom" ||
          /^\d+$/.test(w) ||
          w in NUMBER_WORDS,
      )
    );
  });
  if (
    groupBy === undefined &&
    ranked !== undefined &&
    (superlative !== undefined || /\b(?:top|bottom)\b/i.test(question))
  ) {
    groupBy = ranked.column;
  }
  if (chart && groupBy === undefined) {
    groupBy = mentions.find((m) => !m.column.numeric)?.column ?? profile.columns.find((c) => !c.numeric);
  }

  // "how many units" sums a column; "how many tickets" counts rows.
  const countAt = lower.findIndex(
    (w, i) => (w === "how" && lower[i + 1] === "many") || (w === "number" && lower[i + 1] === "of"),
  );
  // "over 24 hours", "stock below 50": a threshold on the numeric column named next to it.
  const thresholds = thresholdsIn(question, tokens, mentions);
  const limited = new Set(thresholds.map((t) => t.column));
  const numericMentions = mentions.filter(
    (m) => m.column.numeric && m.column !== per && m.column !== groupBy,
  );
  // The measure: a numeric column named for itself, else (for "total stock of items with stock below
  // 50") the one a threshold is on, unless the rows are counted.
  let value: Column | undefined =
    numericMentions.find((m) => !limited.has(m.column.name))?.column ??
    (explicit !== "count" && explicit !== undefined ? numericMentions[0]?.column : undefined) ??
    (thresholds.length === 0 ? numericMentions[0]?.column : undefined);
  let aggregate: Aggregate | undefined = explicit;
  if (explicit === "count") {
    const counted = numericMentions.find(
      (m) => (m.start === countAt + 2 || m.start === countAt + 3) && !limited.has(m.column.name),
    );
    if (counted) {
      value = counted.column;
      aggregate = "sum";
    } else value = undefined;
  }
  if (per !== undefined && value === undefined) per = undefined;

  const filters = new Map<string, string[]>();
  for (const label of labels) {
    filters.set(label.column.name, [...(filters.get(label.column.name) ?? []), label.value]);
  }
  const filterList = [...filters].map(([column, values]) => ({ column, values }));
  // "compare North and South revenue": grouped by the column they are values of, kept to those values.
  const compared =
    groupBy === undefined && COMPARE.test(question)
      ? profile.columns.find((c) => (filters.get(c.name)?.length ?? 0) >= 2)
      : undefined;
  if (compared) groupBy = compared;
  // "how many regions are there", "how many products are in the Tools category": the distinct values of
  // the label column counted, not the rows (a product is listed once per warehouse it is stocked in).
  const distinct =
    explicit === "count" && value === undefined && groupBy === undefined
      ? mentions.find(
          (m) =>
            !m.column.numeric &&
            (m.start === countAt + 2 || m.start === countAt + 3) &&
            !filters.has(m.column.name) &&
            // An id column ("how many tickets" of ticket_id) has one value a row: the rows are counted.
            m.column.labels.length < profile.rows,
        )?.column
      : undefined;
  // "in February", "during 2025": a part of a date column (when no label says so already).
  const dates = dated
    ? datePartsIn(
        tokens.map((t) => t.word),
        labels,
      )
    : undefined;
  const when = dated && dates ? [{ column: dated.name, ...dates }] : [];

  const rankN = (() => {
    const at = lower.findIndex((w) => w === "top" || w === "bottom");
    const n = at >= 0 ? lower[at + 1] : undefined;
    if (n === undefined) return 1;
    return /^\d+$/.test(n) ? Math.min(50, Number(n)) : (NUMBER_WORDS[n] ?? 1);
  })();
  const order = /\bbottom\b/i.test(question) ? "smallest" : (superlative ?? "largest");

  const base = {
    csv,
    ...(thresholds.length > 0 ? { thresholds } : {}),
    ...(profile.delimiter !== "," ? { delimiter: profile.delimiter } : {}),
    ...(profile.decimalComma ? { decimalComma: true } : {}),
    filters: filterList,
    ...(when.length > 0 ? { dates: when } : {}),
    ...(byPeriod && period ? { period } : trendByMonth ? { period: "month" as const } : {}),
    ...(value ? { value: value.name } : {}),
    ...(per && value ? { per: per.name } : {}),
    ...(trend ? { trend: true } : {}),
  };
  const amountOf = (v: Column | undefined): Aggregate =>
    v === undefined ? "count" : per ? "sum" : isLevel(v) ? "mean" : "sum";

  if (chart) {
    const kind = /\b(?:pie|donut|doughnut)\b/i.test(question)
      ? "pie"
      : /\bline\b|\btrend|over time|\bmonthly\b|\bdaily\b|\bweekly\b/i.test(question)
        ? "line"
        : "bar";
    const undrawn = UNDRAWN.exec(question)?.[1]?.toLowerCase();
    const agg =
      explicit && explicit !== "count"
        ? explicit
        : explicit === "count" && !value
          ? "count"
          : amountOf(value);
    return {
      ...base,
      aggregate: agg,
      groupBy: groupBy?.name,
      chart: { kind, output: "chart.svg", ...(undrawn ? { asked: undrawn } : {}) },
    };
  }
  // "average monthly revenue", "average units per month": the monthly totals, averaged.
  const perTime =
    groupBy !== undefined && groupCue === "per" && (groupBy === dated || TIME_LIKE.test(groupBy.name));
  if (
    (byPeriod || perTime) &&
    aggregate === "mean" &&
    value !== undefined &&
    !isLevel(value) &&
    superlative === undefined
  ) {
    return { ...base, aggregate: "sum", groupBy: groupBy?.name, across: "mean" };
  }
  // "what percentage of revenue comes from the South": the filtered part of the whole.
  if (SHARE.test(question) && filterList.length + when.length > 0 && groupBy === undefined) {
    return { ...base, aggregate: value === undefined ? "count" : "sum", share: true };
  }
  if (distinct !== undefined) return { ...base, aggregate: "count", distinct: distinct.name };
  if (groupBy !== undefined) {
    const rankedGroups = superlative !== undefined || /\b(?:top|bottom)\b/i.test(question);
    // "the highest average temperature per sensor": the average is the measure, "highest" ranks it.
    const agg =
      aggregate !== undefined
        ? aggregate
        : rankedGroups
          ? amountOf(value)
          : superlative === "largest"
            ? "max"
            : amountOf(value);
    return {
      ...base,
      aggregate: value === undefined ? "count" : agg,
      groupBy: groupBy.name,
      ...(compared ? { compare: true } : {}),
      ...(rankedGroups && (ranked !== undefined || /\b(?:top|bottom)\b/i.test(question))
        ? { rank: { order, n: rankN } }
        : {}),
    };
  }
  if (value === undefined && aggregate === undefined && superlative === undefined) {
    // Named rows and nothing to compute: show them ("What is the status of T-1003?"), when asked for;
    // "My name is Ada" names a row too, but is no request to look it up.
    const asked = /\?\s*$/.test(question) || LOOKUP_VERB.test(question.trim());
    return filterList.length > 0 && asked ? { ...base, aggregate: "count", lookup: true } : undefined;
  }
  if (
    superlative !== undefined &&
    value !== undefined &&
    aggregate === undefined &&
    /\b(?:top|bottom)\b/i.test(question)
  ) {
    return { ...base, aggregate: superlative === "smallest" ? "min" : "max", rank: { order, n: rankN } };
  }
  if (superlative !== undefined && value !== undefined && aggregate === undefined) {
    return { ...base, aggregate: superlative === "smallest" ? "min" : "max" };
  }
  return { ...base, aggregate: value === undefined ? "count" : (aggregate ?? amountOf(value)) };
}

const COMPARISONS: [RegExp, ">" | ">=" | "<" | "<="][] = [
  [
    /^(?:more than|greater than|higher than|larger than|bigger than|longer than|over|above|exceeding|>)$/i,
    ">",
  ],
  [/^(?:at least|no less than|>=|≥)$/i, ">="],
  [/^(?:less than|fewer than|lower than|smaller than|shorter than|under|below|<)$/i, "<"],
  [/^(?:at most|no more than|up to|<=|≤)$/i, "<="],
];
const COMPARISON =
  /(?:\b(more than|greater than|higher than|larger than|bigger than|longer than|over|above|exceeding|at least|no less than|less than|fewer than|lower than|smaller than|shorter than|under|below|at most|no more than|up to)\b|(>=|<=|≥|≤|>|<))\s*[$€£]?(-?\d[\d,]*(?:\.\d+)?)/gi;

/**
 * Thresholds the question puts on numeric columns: the comparison, its number, and the column named
 * just before it ("resolution_hours over 24") or right after the number ("over 24 hours").
 */
function thresholdsIn(
  question: string,
  tokens: { index: number }[],
  mentions: Mention[],
): { column: string; op: ">" | ">=" | "<" | "<="; value: number }[] {
  const out: { column: string; op: ">" | ">=" | "<" | "<="; value: number }[] = [];
  for (const m of question.matchAll(COMPARISON)) {
    const words = (m[1] ?? m[2] ?? "").toLowerCase();
    const op = COMPARISONS.find(([re]) => re.test(words))?.[1];
    const value = Number((m[3] ?? "").replace(/,/g, ""));
    if (op === undefined || !Number.isFinite(value)) continue;
    const at = tokens.findIndex((t) => t.index >= (m.index ?? 0)); // the comparison's first token
    const numberAt = tokens.findIndex((t) => t.index >= (m.index ?? 0) + m[0].length - (m[3] ?? "").length);
    const numeric = mentions.filter((x) => x.column.numeric);
    const after = numeric.find((x) => x.start > numberAt && x.start <= numberAt + 2);
    const before = [...numeric].reverse().find((x) => x.end <= at && x.end >= at - 4);
    const column = (after ?? before ?? (numeric.length === 1 ? numeric[0] : undefined))?.column;
    if (column) out.push({ column: column.name, op, value });
  }
  return out;
}

const MONTH_NAMES =
  "January February March April May June July August September October November December".split(" ");
const MONTHS = "january february march april may june july august september october november december".split(
  " ",
);

/**
 * The months ("February", "Feb", "Q4", "the third quarter") and the year ("in 2025") the question names,
 * unless a label took the word.
 */
function datePartsIn(
  words: string[],
  labels: LabelMention[],
): { months?: number[]; label?: string; year?: number } | undefined {
  const free = (i: number) => !labels.some((l) => l.start <= i && i < l.end);
  let months: number[] | undefined;
  let label: string | undefined;
  let year: number | undefined;
  for (const [i, word] of words.entries()) {
    if (!free(i)) continue;
    const lower = word.toLowerCase();
    const full = MONTHS.indexOf(lower);
    // "may" is a month only as "May"; three-letter forms only capitalized ("Feb", not "mar").
    const short = /^\p{Lu}/u.test(word)
      ? MONTHS.findIndex((m) => m.slice(0, 3) === lower || (lower === "sept" && m === "september"))
      : -1;
    const quarter =
      /^q([1-4])$/i.exec(word)?.[1] ??
      (lower === "quarter" ? ORDINALS[words[i - 1]?.toLowerCase() ?? ""] : undefined);
    if (full >= 0 && (lower !== "may" || word === "May")) [months, label] = [[full + 1], MONTH_NAMES[full]];
    else if (short >= 0 && word.length <= 4) [months, label] = [[short + 1], MONTH_NAMES[short]];
    else if (quarter !== undefined) {
      const q = Number(quarter);
      [months, label] = [[3 * q - 2, 3 * q - 1, 3 * q], `Q${q}`];
    } else if (/^(?:19|20)\d\d$/.test(word) && /^(?:in|during|for|of|since)$/i.test(words[i - 1] ?? ""))
      year = Number(word);
  }
  return months === undefined && year === undefined
    ? undefined
    : { ...(months ? { months, label } : {}), ...(year ? { year } : {}) };
}

const ORDINALS: Record<string, string> = { first: "1", second: "2", third: "3", fourth: "4", last: "4" };

/**
 * A label column the question asks a number of ("the average priority", "total region"): there is no
 * such number, and saying so beats counting rows instead.
 */
export function labelsAskedAsNumber(question: string, profile: CsvProfile): Column | undefined {
  const { mentions, labels } = readQuestion(question, profile.columns);
  if (mentions.some((m) => m.column.numeric) || labels.length > 0 || CHART.test(question)) return undefined;
  if (!/\b(?:average|mean|avg|median|sum|total)\b/i.test(question)) return undefined;
  // "total tickets per team" counts; "average priority" has nothing to average.
  const grouped = /\b(?:by|per|each|across)\b/i.test(question);
  return grouped ? undefined : mentions.find((m) => !m.column.numeric && m.complete)?.column;
}

const AGGREGATE_NAMES: Record<Aggregate, string> = {
  sum: "total",
  mean: "average",
  median: "median",
  min: "lowest",
  max: "highest",
  count: "number of rows",
};

/** The analysis in words: "the total stock per warehouse where category is Tools". */
export function describeAnalysis(a: Analysis): string {
  const measure =
    a.value === undefined || a.aggregate === "count"
      ? "number of rows"
      : a.per
        ? `${a.value} ÷ ${a.per} (total ${a.value} divided by total ${a.per})`
        : `${AGGREGATE_NAMES[a.aggregate]} ${a.value}`;
  const groups = a.groupBy ? (a.period ? ` per ${a.period} of ${a.groupBy}` : ` per ${a.groupBy}`) : "";
  const conditions = [
    ...a.filters.map((f) => `${f.column} is ${f.values.join(" or ")}`),
    ...(a.thresholds ?? []).map((t) => `${t.column} ${t.op} ${t.value}`),
    ...(a.dates ?? []).map((d) => {
      const when = [d.label ?? "", d.year ?? ""].filter(Boolean).join(" ");
      return `${d.column} is in ${when}`;
    }),
  ];
  const where = conditions.length > 0 ? ` where ${conditions.join(" and ")}` : "";
  if (a.share) return `share of the ${measure}${where}`;
  if (a.distinct) return `number of distinct ${a.distinct} values${where}`;
  if (a.across && a.period)
    return `average ${a.period}ly ${measure} (the ${a.period}ly totals of ${a.groupBy}, averaged)${where}`;
  if (a.across) return `average ${measure} per ${a.groupBy} (the totals per ${a.groupBy}, averaged)${where}`;
  return `${measure}${groups}${where}`;
}
