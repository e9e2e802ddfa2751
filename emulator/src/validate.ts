/**
 * Small checks on untrusted JSON. Each failure names the offending param, the way the service does, so a
 * 400 tells the caller exactly which field to fix.
 */
import { invalidPayload } from "./errors.ts";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function optionalString(body: Json, key: string, param = key): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidPayload(param, `'${param}' must be a string.`);
  return value;
}

export function requiredString(body: Json, key: string, param = key): string {
  const value = optionalString(body, key, param);
  if (value === undefined || value === "") throw invalidPayload(param, `'${param}' is required.`);
  return value;
}

export function optionalBoolean(body: Json, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidPayload(key, `'${key}' must be a boolean.`);
  return value;
}

export function optionalObject(body: Json, key: string, param = key): Json | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidPayload(param, `'${param}' must be an object.`);
  return value;
}

export function optionalArray(body: Json, key: string): unknown[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidPayload(key, `'${key}' must be an array.`);
  return value;
}

/** Metadata as the service allows it: up to 16 string keys (max 64 chars) with string values (max 512). */
export function optionalMetadata(body: Json, key = "metadata"): Record<string, string> | undefined {
  const value = optionalObject(body, key);
  if (value === undefined) return undefined;
  const entries = Object.entries(value);
  if (entries.length > 16) throw invalidPayload(key, `'${key}' can hold at most 16 keys.`);
  for (const [k, v] of entries) {
    if (k.length > 64) throw invalidPayload(key, `'${key}' keys must be at most 64 characters.`);
    if (typeof v !== "string" || v.length > 512) {
      throw invalidPayload(`${key}.${k}`, `'${key}.${k}' must be a string of at most 512 characters.`);
    }
  }
  return value as Record<string, string>;
}
