/**
 * A small path router (no framework: the emulator starts in-process for every demo run, so startup time
 * matters). Patterns are segment lists where `:name` captures one segment. A path that matches some
 * pattern with another method gets a 405 naming the allowed methods, not a 404.
 */
import type { Handler } from "./context.ts";

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
  /** Foundry-native routes take `?api-version=v1`; OpenAI routes take none. */
  foundry: boolean;
}

export type Match =
  | { kind: "found"; handler: Handler; params: Record<string, string>; foundry: boolean }
  | { kind: "method_not_allowed"; allowed: string[] }
  | { kind: "not_found" };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, foundry: boolean): void {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, foundry });
  }

  match(method: string, segments: string[]): Match {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (route.method === method)
        return { kind: "found", handler: route.handler, params, foundry: route.foundry };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: "method_not_allowed", allowed } : { kind: "not_found" };
  }
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? "";
    const actual = segments[i] ?? "";
    if (expected.startsWith(":")) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}
