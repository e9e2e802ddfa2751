/**
 * LAB_WEATHER=offline: sample weather for a workshop without internet, so the tool loop's lesson (the model
 * asks, the client runs the function, the model answers from its output) still completes. It is not real
 * weather and says so in every result: the numbers are computed from the city's name and latitude, stable
 * per city, in plausible ranges. Only the cities below are known; any other name gets the same error the
 * live geocoder gives.
 */
import type { CurrentWeather, WeatherError } from "./weather.ts";

export const OFFLINE_SOURCE = "offline sample data (LAB_WEATHER=offline), not real weather";

/** [name, country, latitude]: the latitude makes the sample plausible (Oslo colder than Singapore). */
const CITIES: Array<[string, string, number]> = [
  ["Amsterdam", "Netherlands", 52.4],
  ["Athens", "Greece", 38.0],
  ["Auckland", "New Zealand", -36.8],
  ["Bangkok", "Thailand", 13.8],
  ["Barcelona", "Spain", 41.4],
  ["Beijing", "China", 39.9],
  ["Berlin", "Germany", 52.5],
  ["Bogotá", "Colombia", 4.7],
  ["Buenos Aires", "Argentina", -34.6],
  ["Cairo", "Egypt", 30.0],
  ["Cape Town", "South Africa", -33.9],
  ["Chicago", "United States", 41.9],
  ["Copenhagen", "Denmark", 55.7],
  ["Delhi", "India", 28.7],
  ["Dubai", "United Arab Emirates", 25.2],
  ["Dublin", "Ireland", 53.3],
  ["Helsinki", "Finland", 60.2],
  ["Hong Kong", "Hong Kong", 22.3],
  ["Istanbul", "Turkey", 41.0],
  ["Jakarta", "Indonesia", -6.2],
  ["Lagos", "Nigeria", 6.5],
  ["Lisbon", "Portugal", 38.7],
  ["London", "United Kingdom", 51.5],
  ["Los Angeles", "United States", 34.1],
  ["Madrid", "Spain", 40.4],
  ["Mexico City", "Mexico", 19.4],
  ["Montreal", "Canada", 45.5],
  ["Moscow", "Russia", 55.8],
  ["Mumbai", "India", 19.1],
  ["Nairobi", "Kenya", -1.3],
  ["New York", "United States", 40.7],
  ["Oslo", "Norway", 59.9],
  ["Paris", "France", 48.9],
  ["Prague", "Czechia", 50.1],
  ["Reykjavik", "Iceland", 64.1],
  ["Rome", "Italy", 41.9],
  ["San Francisco", "United States", 37.8],
  ["Santiago", "Chile", -33.4],
  ["São Paulo", "Brazil", -23.6],
  ["Seattle", "United States", 47.6],
  ["Seoul", "South Korea", 37.6],
  ["Singapore", "Singapore", 1.4],
  ["Stockholm", "Sweden", 59.3],
  ["Sydney", "Australia", -33.9],
  ["Tokyo", "Japan", 35.7],
  ["Toronto", "Canada", 43.7],
  ["Vienna", "Austria", 48.2],
  ["Warsaw", "Poland", 52.2],
  ["Zurich", "Switzerland", 47.4],
];

const CONDITIONS = ["clear sky", "partly cloudy", "overcast", "fog", "drizzle", "rain", "thunderstorm"];

/** "são paulo", "Sao Paulo" and " SAO  PAULO " are the same city, as they are to the geocoder. */
const key = (name: string) =>
  name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
const byKey = new Map(CITIES.map((city) => [key(city[0]), city]));

export function offlineWeather(city: string): CurrentWeather | WeatherError {
  const name = city.trim().slice(0, 100);
  if (!name) return { error: "No city was given." };
  const found = byKey.get(key(name));
  if (!found)
    return {
      error: `No place called "${name}" was found. (The offline sample data knows ${CITIES.length} large cities, such as Oslo, Paris and Tokyo.)`,
    };
  const [cityName, country, latitude] = found;
  const random = seeded(key(cityName));
  // Warm near the equator, cold near the poles, then a stable per-city deviation of a few degrees.
  const temperature = round(28 - 0.45 * Math.abs(latitude) + (random() * 8 - 4));
  const wind = round(2 + random() * 30);
  const humidity = Math.round(35 + random() * 60);
  let conditions = CONDITIONS[Math.floor(random() * CONDITIONS.length)] ?? "overcast";
  if (temperature <= 0 && /rain|drizzle|thunder/.test(conditions)) conditions = "snow";
  if (temperature > 22 && conditions === "fog") conditions = "partly cloudy";
  return {
    city: cityName,
    country,
    temperature_c: temperature,
    feels_like_c: round(temperature - wind / 10),
    humidity_percent: humidity,
    wind_kmh: wind,
    conditions,
    observed_at: undefined, // nothing was observed
    source: OFFLINE_SOURCE,
  };
}

/** A small deterministic generator (FNV-1a seed, then mulberry32) so each city always gets the same sample. */
function seeded(text: string): () => number {
  let seed = 2166136261;
  for (const char of text) seed = Math.imul(seed ^ (char.codePointAt(0) ?? 0), 16777619);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
