/**
 * Live weather from Open-Meteo (no key needed): geocode the city, then read its current conditions.
 * Whatever comes back is untrusted input for the model, so every failure becomes a small JSON error
 * object and a success is trimmed to the few fields an answer needs. LAB_WEATHER=offline answers from
 * labelled sample data instead (offline-weather.ts), for a machine without internet.
 */
import { ConfigError } from "@lab/shared/errors";
import { offlineWeather } from "./offline-weather.ts";

export interface WeatherSettings {
  /** LAB_WEATHER=offline: sample data computed here, no network. */
  offline: boolean;
  geocodingUrl: string;
  forecastUrl: string;
  timeoutMs: number;
}

/**
 * Base URLs come from env so tests and offline runs can point them at a local stand-in. `sources` (the
 * config's) names the file a bad LAB_WEATHER came from.
 */
export function weatherSettings(
  env: Record<string, string | undefined>,
  sources?: Record<string, string>,
): WeatherSettings {
  const mode = env.LAB_WEATHER?.trim().toLowerCase() || "live";
  if (mode !== "live" && mode !== "offline")
    throw new ConfigError(
      `LAB_WEATHER${sources ? ` (from ${sources.LAB_WEATHER ?? "the environment"})` : ""} is "${env.LAB_WEATHER}"; use "offline" for sample data without internet, or leave it unset (or "live") for Open-Meteo.`,
    );
  return {
    offline: mode === "offline",
    geocodingUrl: env.WEATHER_GEOCODING_URL || "https://geocoding-api.open-meteo.com/v1/search",
    forecastUrl: env.WEATHER_FORECAST_URL || "https://api.open-meteo.com/v1/forecast",
    timeoutMs: Number(env.WEATHER_TIMEOUT_MS) > 0 ? Number(env.WEATHER_TIMEOUT_MS) : 4000,
  };
}

export interface CurrentWeather {
  city: string;
  country: string | undefined;
  temperature_c: number;
  feels_like_c: number | undefined;
  humidity_percent: number | undefined;
  wind_kmh: number | undefined;
  conditions: string;
  observed_at: string | undefined;
  source: string;
}

export interface WeatherError {
  error: string;
}

const MAX_REPLY_BYTES = 256 * 1024;
/** Said when the service is out of reach, the usual sign of a machine (or a workshop) without internet. */
const OFFLINE_HINT = "Without internet, set LAB_WEATHER=offline for sample data.";

export async function getWeather(
  city: string,
  settings: WeatherSettings,
  signal?: AbortSignal,
): Promise<CurrentWeather | WeatherError> {
  if (settings.offline) return offlineWeather(city);
  const name = city.trim().slice(0, 100);
  if (!name) return { error: "No city was given." };
  const geo = await fetchJson(
    `${settings.geocodingUrl}?${new URLSearchParams({ name, count: "1", language: "en", format: "json" })}`,
    settings,
    signal,
  );
  if ("error" in geo) return geo;
  const place = (geo.value as { results?: unknown[] }).results?.[0] as Record<string, unknown> | undefined;
  if (!place) return { error: `No place called "${name}" was found.` };
  const latitude = Number(place.latitude);
  const longitude = Number(place.longitude);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude))
    return { error: "The geocoding service sent an unusable location." };

  const query = new URLSearchParams({
    latitude: String(latitude),
    longitude: String(longitude),
    current: "temperature_2m,apparent_temperature,relative_humidity_2m,wind_speed_10m,weather_code",
    wind_speed_unit: "kmh",
    timezone: "auto",
  });
  const forecast = await fetchJson(`${settings.forecastUrl}?${query}`, settings, signal);
  if ("error" in forecast) return forecast;
  const current = (forecast.value as { current?: Record<string, unknown> }).current;
  const temperature = Number(current?.temperature_2m);
  if (!current || !Number.isFinite(temperature))
    return { error: "The weather service sent no current temperature." };
  return {
    city: text(place.name) ?? name,
    country: text(place.country),
    temperature_c: Math.round(temperature * 10) / 10,
    feels_like_c: finite(current.apparent_temperature),
    humidity_percent: finite(current.relative_humidity_2m),
    wind_kmh: finite(current.wind_speed_10m),
    conditions: describeWeatherCode(Number(current.weather_code)),
    observed_at: text(current.time),
    source: "Open-Meteo",
  };
}

/** GET with a deadline and a size cap; never throws. */
async function fetchJson(
  url: string,
  settings: WeatherSettings,
  signal?: AbortSignal,
): Promise<{ value: unknown } | WeatherError> {
  const host = new URL(url).host;
  const deadline = AbortSignal.timeout(settings.timeoutMs);
  try {
    const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, deadline]) : deadline });
    if (!res.ok) return { error: `The weather service (${host}) answered HTTP ${res.status}.` };
    const body = await readCapped(res, MAX_REPLY_BYTES);
    if (body === undefined) return { error: `The weather service (${host}) sent an oversized reply.` };
    return { value: JSON.parse(body) as unknown };
  } catch (err) {
    if (signal?.aborted) throw err; // the user cancelled the turn: not the tool's error to report
    if (deadline.aborted)
      return {
        error: `The weather service (${host}) did not answer within ${settings.timeoutMs / 1000} s. ${OFFLINE_HINT}`,
      };
    if (err instanceof SyntaxError)
      return { error: `The weather service (${host}) sent something that is not JSON.` };
    return { error: `The weather service (${host}) could not be reached. ${OFFLINE_HINT}` };
  }
}

async function readCapped(res: Response, limit: number): Promise<string | undefined> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value.slice(0, 100) : undefined;
}

/** A finite number rounded to one decimal (the model needs no more), else undefined. */
function finite(value: unknown): number | undefined {
  const n = Number(value);
  return value !== null && value !== undefined && Number.isFinite(n) ? Math.round(n * 10) / 10 : undefined;
}

/** WMO weather interpretation codes, as Open-Meteo documents them. */
function describeWeatherCode(code: number): string {
  const table: Array<[number[], string]> = [
    [[0], "clear sky"],
    [[1, 2], "partly cloudy"],
    [[3], "overcast"],
    [[45, 48], "fog"],
    [[51, 53, 55, 56, 57], "drizzle"],
    [[61, 63, 65, 66, 67, 80, 81, 82], "rain"],
    [[71, 73, 75, 77, 85, 86], "snow"],
    [[95, 96, 99], "thunderstorm"],
  ];
  return table.find(([codes]) => codes.includes(code))?.[1] ?? "unknown conditions";
}
