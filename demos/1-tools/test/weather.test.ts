/** The weather function against a local Open-Meteo stand-in: every failure is a small JSON error. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../../../shared/test/support.ts";
import { type CurrentWeather, getWeather, weatherSettings } from "../src/weather.ts";
import { startWeatherFixture, type WeatherFixture } from "./weather-fixture.ts";

let fixture: WeatherFixture;
beforeAll(async () => {
  fixture = await startWeatherFixture();
});
afterAll(() => fixture.close());

const settings = () => weatherSettings(fixture.env);

describe("getWeather", () => {
  it("returns only the fields an answer needs", async () => {
    fixture.mode = "ok";
    expect(await getWeather("Oslo", settings())).toEqual({
      city: "Oslo",
      country: "Norway",
      temperature_c: 3.7,
      feels_like_c: 1.7,
      humidity_percent: 81,
      wind_kmh: 12.5,
      conditions: "overcast",
      observed_at: "2026-11-26T10:00",
      source: "Open-Meteo",
    });
  });

  it("names an unknown city, an HTTP error, a timeout, a non-JSON and an oversized reply", async () => {
    fixture.mode = "ok";
    expect(await getWeather("Atlantis", settings())).toEqual({
      error: 'No place called "Atlantis" was found.',
    });
    fixture.mode = "error";
    expect(await getWeather("Oslo", settings())).toMatchObject({
      error: expect.stringContaining("answered HTTP 503"),
    });
    fixture.mode = "slow";
    expect(await getWeather("Oslo", settings())).toMatchObject({
      error: expect.stringContaining("did not answer within 1 s"),
    });
    fixture.mode = "garbage";
    expect(await getWeather("Oslo", settings())).toMatchObject({
      error: expect.stringContaining("not JSON"),
    });
    fixture.mode = "huge";
    expect(await getWeather("Oslo", settings())).toMatchObject({
      error: expect.stringContaining("oversized reply"),
    });
    fixture.mode = "ok";
  });

  it("cannot be reached: an error, not an exception", async () => {
    const unreachable = weatherSettings({
      WEATHER_GEOCODING_URL: `http://127.0.0.1:${await closedPort()}/v1/search`,
      WEATHER_TIMEOUT_MS: "1000",
    });
    expect(await getWeather("Oslo", unreachable)).toMatchObject({
      error: expect.stringContaining("could not be reached. Without internet, set LAB_WEATHER=offline"),
    });
  });
});

describe("getWeather with LAB_WEATHER=offline", () => {
  it("answers from labelled sample data, stable per city, without touching the network", async () => {
    // The live endpoints point at a closed port: any request would turn into an error.
    const offline = weatherSettings({
      LAB_WEATHER: "offline",
      WEATHER_GEOCODING_URL: `http://127.0.0.1:${await closedPort()}/v1/search`,
    });
    const results = (await Promise.all(
      ["Lisbon", "  lisbon ", "Helsinki", "Jakarta"].map((city) => getWeather(city, offline)),
    )) as CurrentWeather[];
    const [lisbon, again, helsinki, jakarta] = results;
    expect(lisbon).toMatchObject({
      city: "Lisbon",
      country: "Portugal",
      source: "offline sample data (LAB_WEATHER=offline), not real weather",
    });
    expect(again).toEqual(lisbon);
    for (const r of results) {
      expect(r.temperature_c).toBeGreaterThan(-15);
      expect(r.temperature_c).toBeLessThan(35);
      expect(r.humidity_percent).toBeGreaterThanOrEqual(0);
      expect(r.humidity_percent).toBeLessThanOrEqual(100);
      expect(r.wind_kmh).toBeGreaterThanOrEqual(0);
    }
    // Latitude shapes the sample: near the equator is warmer than near the Arctic.
    expect(jakarta?.temperature_c).toBeGreaterThan(helsinki?.temperature_c ?? Infinity);
    expect(await getWeather("São Paulo", offline)).toMatchObject({ city: "São Paulo" });
    expect(await getWeather("Sao Paulo", offline)).toEqual(await getWeather("São Paulo", offline));
  });

  it("an unknown city gets the live geocoder's error; a misspelt mode is a configuration error", async () => {
    const offline = weatherSettings({ LAB_WEATHER: "offline" });
    expect(await getWeather("Atlantis", offline)).toMatchObject({
      error: expect.stringMatching(/^No place called "Atlantis" was found\. /),
    });
    expect(await getWeather(" ", offline)).toEqual({ error: "No city was given." });
    expect(weatherSettings({ LAB_WEATHER: "Live" }).offline).toBe(false);
    expect(() => weatherSettings({ LAB_WEATHER: "ofline" })).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringContaining('LAB_WEATHER (from the environment) is "ofline"; use "offline"'),
      }),
    );
  });
});
