/**
 * A local stand-in for the two Open-Meteo endpoints demo 1's get_weather calls (geocoding, forecast), on
 * 127.0.0.1. An evaluation needs answers it can know in advance: live weather changes by the hour, so a
 * dataset cannot say what "the right temperature" is. `EVAL_LIVE_WEATHER=1` uses the real service instead
 * (then the temperature checks of the weather dataset will fail; the tool checks still mean something).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** The cities the weather dataset asks about, with the weather this stand-in reports for them. */
export const STAND_IN_WEATHER: Record<
  string,
  { lat: number; lon: number; country: string; temperature: number; code: number }
> = {
  oslo: { lat: 59.91, lon: 10.75, country: "Norway", temperature: 3.7, code: 3 },
  paris: { lat: 48.85, lon: 2.35, country: "France", temperature: 11.4, code: 61 },
  "buenos aires": { lat: -34.61, lon: -58.38, country: "Argentina", temperature: 22.1, code: 0 },
  reykjavik: { lat: 64.15, lon: -21.94, country: "Iceland", temperature: -1.2, code: 71 },
  nairobi: { lat: -1.29, lon: 36.82, country: "Kenya", temperature: 19.5, code: 2 },
};

export interface StandIn {
  env: { WEATHER_GEOCODING_URL: string; WEATHER_FORECAST_URL: string; LAB_WEATHER: "live" };
  close(): Promise<void>;
}

export async function startWeatherStandIn(): Promise<StandIn> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/v1/search") {
      const name = (url.searchParams.get("name") ?? "").trim();
      const city = STAND_IN_WEATHER[name.toLowerCase()];
      return json(
        200,
        city ? { results: [{ name, latitude: city.lat, longitude: city.lon, country: city.country }] } : {},
      );
    }
    if (url.pathname === "/v1/forecast") {
      const lat = Number(url.searchParams.get("latitude"));
      const city = Object.values(STAND_IN_WEATHER).find((c) => c.lat === lat);
      if (!city) return json(400, { error: true, reason: "unknown location" });
      return json(200, {
        current: {
          time: "2026-01-01T12:00",
          temperature_2m: city.temperature,
          apparent_temperature: city.temperature - 2,
          relative_humidity_2m: 70,
          wind_speed_10m: 12,
          weather_code: city.code,
        },
      });
    }
    json(404, { error: true, reason: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    // LAB_WEATHER=live: the datasets know this stand-in's numbers, not demo 1's offline sample data.
    env: {
      WEATHER_GEOCODING_URL: `${base}/search`,
      WEATHER_FORECAST_URL: `${base}/forecast`,
      LAB_WEATHER: "live",
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
