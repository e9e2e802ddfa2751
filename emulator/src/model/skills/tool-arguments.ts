/**
 * A function call's arguments, read from the user's words for any parameter of the tool's JSON schema:
 * dates and times ("tomorrow at 7pm" → "2026-12-02" / "19:00"), numbers next to the unit or currency the
 * parameter implies ("for 4 people", "$20"), enums, booleans, currencies and units by role ("100 dollars
 * to euros"), e-mail addresses, URLs, names after the cue word the parameter's name or description
 * implies (from/to/at/in/with), quoted text, and free text (what is left of the request). Every piece of
 * the message is used at most once. A list of names in one slot ("Oslo and Paris") gives one call each.
 * With `strict`, every property is present (null where the schema allows it and nothing was said), so the
 * arguments validate; a required value that is not there is reported as missing instead of invented.
 * The readers live in arguments/: reading.ts (schema and message read once), values.ts (values known by
 * their form), names.ts (names after cue words, lists), free-text.ts (what is left of the request).
 */
import { isObject, type Json } from "../../validate.ts";
import { without } from "../parse/spans.ts";
import { contentStems, contentWords, words } from "../parse/words.ts";
import { freeText } from "./arguments/free-text.ts";
import { arrayValue, entities } from "./arguments/names.ts";
import {
  type Filled,
  type FillOptions,
  isTitle,
  type Param,
  paramsOf,
  Reading,
  take,
} from "./arguments/reading.ts";
import {
  booleanValue,
  code,
  currency,
  enumValue,
  numberValue,
  rangeEnd,
  unit,
  when,
} from "./arguments/values.ts";

export type { Filled, FillOptions } from "./arguments/reading.ts";

export function fillArguments(tool: Json, text: string, options: FillOptions): Filled {
  const schema = isObject(tool.parameters) ? tool.parameters : {};
  const paramNames = Object.keys(isObject(schema.properties) ? schema.properties : {}).join(" ");
  const toolStems = contentStems(
    `${String(tool.name ?? "")} ${String(tool.description ?? "")} ${paramNames}`,
  );
  const reading = new Reading(text, options.now ?? new Date(), toolStems);
  reading.toolWords = contentWords(`${String(tool.name ?? "")} ${String(tool.description ?? "")}`);
  reading.nameWords = words(String(tool.name ?? ""));
  return fillObject(schema, reading, options);
}

function fillObject(schema: Json, reading: Reading, options: FillOptions): Filled {
  const params = paramsOf(schema);
  reading.hasText ||= params.some((p) => p.kind === "text");
  for (const p of params) if (p.cue !== undefined) reading.cues.add(p.cue);
  const args: Json = {};
  const missing: string[] = [];
  let fanOut: { name: string; values: unknown[] } | undefined;
  // One free-text parameter takes what is left of the message: the body, not the title next to it.
  const texts = params.filter((p) => p.kind === "text");
  const primary = texts.find((p) => !isTitle(p)) ?? texts[0];
  for (const param of params) {
    let value: unknown;
    if (param.kind === "entity") {
      const values = entities(param, reading, options);
      if (values.length > 1 && fanOut === undefined) fanOut = { name: param.name, values };
      value = values[0];
    } else if (param.kind === "object") {
      const inner = fillObject(param.spec, reading, options);
      if (inner.missing.length === 0) value = inner.calls[0];
      else if (param.required && !param.nullable)
        missing.push(...inner.missing.map((m) => `${param.name}.${m}`));
    } else if (param.kind === "array" && isObject(param.spec.items) && param.spec.items.type === "object") {
      value = objectList(param.spec.items, reading, options);
    } else if (param.kind === "text") {
      value = freeText(param, reading, param !== primary, params);
    } else {
      value = valueFor(param, reading);
      if (value === undefined && param.kind === "date") value = rangeEnd(param, params, args, reading);
      // "AAPL or MSFT", "RX-1 and RX-2": codes of one form joined to it give one call each.
      const more = param.kind === "code" && typeof value === "string" ? joinedCodes(reading, value) : [];
      if (more.length > 0 && fanOut === undefined) fanOut = { name: param.name, values: [value, ...more] };
    }
    if (value === undefined && param.kind === "boolean" && param.required && !param.nullable) value = false;
    if (value === undefined && param.spec.default !== undefined && param.required) value = param.spec.default;
    if (value !== undefined) args[param.name] = value;
    else if (param.required && param.nullable) args[param.name] = null;
    else if (param.required && param.kind !== "object") missing.push(param.name);
  }
  const calls =
    fanOut === undefined ? [args] : fanOut.values.map((v) => ({ ...args, [fanOut?.name ?? ""]: v }));
  // Keep the schema's property order, as a model writes them.
  const properties = isObject(schema.properties) ? Object.keys(schema.properties) : [];
  return {
    calls: calls.map((call) =>
      Object.fromEntries(properties.filter((p) => p in call).map((p) => [p, call[p]])),
    ),
    missing: params
      .filter((p) => missing.includes(p.name))
      .map((p) => p.name)
      .concat(missing.filter((m) => m.includes("."))),
  };
}

/** The codes written like this one right after it, joined by "and", "or", "&" or commas. */
function joinedCodes(reading: Reading, first: string): string[] {
  const at = reading.text.indexOf(first);
  if (at < 0) return [];
  const shape = /^[A-Z]+$/.test(first) ? "[A-Z]{2,6}" : "(?=[A-Za-z0-9-]*\\d)[A-Za-z0-9][A-Za-z0-9-]+";
  const out: string[] = [];
  const next = new RegExp(`^\\s*(?:,|,?\\s*and|,?\\s*or|&)\\s*#?(${shape})\\b`);
  let from = at + first.length;
  for (let m = next.exec(reading.text.slice(from)); m !== null; m = next.exec(reading.text.slice(from))) {
    const code = m[1] ?? "";
    const end = from + m[0].length;
    // Taken, so no other parameter reads "MSFT" again.
    reading.use({ text: code, index: end - code.length, end });
    out.push(code);
    from = end;
  }
  return out;
}

function valueFor(param: Param, reading: Reading): unknown {
  switch (param.kind) {
    case "email":
      return take(reading, reading.emails)?.text;
    case "url":
      return take(reading, reading.urls)?.text;
    case "phone": {
      const m = /\+?\d[\d ().-]{6,}\d/.exec(reading.text);
      return m?.[0];
    }
    case "date":
    case "time":
    case "datetime":
      return when(param, reading);
    case "currency":
      return currency(param, reading);
    case "unit":
      return unit(param, reading);
    case "enum":
      return enumValue(param, reading);
    case "number":
      return numberValue(param, reading);
    case "boolean":
      return booleanValue(param, reading);
    case "code":
      return code(param, reading);
    case "array":
      return arrayValue(param, reading);
    default:
      return undefined;
  }
}

/**
 * An array of objects ("2 pizzas and 1 salad" for `items: [{name, quantity}]`): each part of the list
 * fills one object, read on its own; parts that fill nothing are left out.
 */
function objectList(items: Json, reading: Reading, options: FillOptions): Json[] | undefined {
  const out: Json[] = [];
  // What other parameters took (the delivery address) is not part of the list.
  const rest = without(reading.text, reading.used);
  for (const part of rest.split(/\s*(?:[,;]|\band\b|\bplus\b)\s*/i)) {
    if (part.trim() === "") continue;
    const filled = fillObject(
      items,
      new Reading(part, options.now ?? new Date(), reading.toolStems),
      options,
    );
    const call = filled.calls[0] ?? {};
    if (filled.missing.length === 0 && Object.values(call).some((v) => v !== null && v !== false))
      out.push(call);
  }
  return out.length > 0 ? out : undefined;
}
