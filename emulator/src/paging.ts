/**
 * Cursor paging shared by every list: `limit`, `order`, `after`, `before` in, `{data, first_id, last_id,
 * has_more}` out. Both SDKs follow `has_more` by asking again with `after=<last_id>`. Lists in the lab are
 * short (tens of rows), so a page is cut from the full ordered list rather than with SQL cursors.
 */
import { invalidValue } from "./errors.ts";

export interface PageParams {
  limit: number;
  order: "asc" | "desc";
  after: string | undefined;
  before: string | undefined;
}

export interface Page<T> {
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export function parsePageParams(query: URLSearchParams, defaultOrder: "asc" | "desc" = "desc"): PageParams {
  const rawLimit = query.get("limit");
  let limit = 20;
  if (rawLimit !== null && rawLimit !== "") {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalidValue("limit", `'limit' must be an integer from 1 to 100, got '${rawLimit}'.`);
    }
  }
  const order = query.get("order") || defaultOrder;
  if (order !== "asc" && order !== "desc") {
    throw invalidValue("order", `'order' must be 'asc' or 'desc', got '${order}'.`);
  }
  return { limit, order, after: query.get("after") || undefined, before: query.get("before") || undefined };
}

/** Cuts one page out of `items`, which must be in ascending creation order. */
export function paginate<T>(items: T[], params: PageParams, idOf: (item: T) => string): Page<T> {
  let list = params.order === "asc" ? items : [...items].reverse();
  if (params.after !== undefined) list = list.slice(indexOf(list, params.after, idOf, "after") + 1);
  if (params.before !== undefined) list = list.slice(0, indexOf(list, params.before, idOf, "before"));
  // `before` alone asks for the page just before the cursor: the items nearest to it.
  const fromEnd = params.before !== undefined && params.after === undefined;
  const data = fromEnd ? list.slice(Math.max(0, list.length - params.limit)) : list.slice(0, params.limit);
  const first = data[0];
  const last = data[data.length - 1];
  return {
    data,
    first_id: first === undefined ? null : idOf(first),
    last_id: last === undefined ? null : idOf(last),
    has_more: list.length > data.length,
  };
}

function indexOf<T>(list: T[], id: string, idOf: (item: T) => string, param: string): number {
  const index = list.findIndex((item) => idOf(item) === id);
  if (index < 0) throw invalidValue(param, `'${param}' names '${id}', which is not in this list.`);
  return index;
}
