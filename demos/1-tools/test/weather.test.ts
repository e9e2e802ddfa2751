/** The weather function against a local Open-Meteo stand-in: every failure is a small JSON error. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../../../shared/test/support.ts";
import { getWeather, weatherSettings } from "../src/weather.ts";
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
      error: expect.stringContaining("could not be reached"),
    });
  });
});
