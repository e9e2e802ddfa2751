/**
 * A local stand-in for the two Open-Meteo endpoints demo 1 calls, on 127.0.0.1, so the tests know the
 * exact temperature to expect and can make the service fail in each way the tool must survive.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type WeatherMode = "ok" | "slow" | "error" | "garbage" | "huge";

export const FIXTURE_CITIES: Record<
  string,
  { latitude: number; longitude: number; country: string; temperature: number }
> = {
  oslo: { latitude: 59.91, longitude: 10.75, country: "Norway", temperature: 3.7 },
  paris: { latitude: 48.85, longitude: 2.35, country: "France", temperature: 11.4 },
};

export interface WeatherFixture {
  env: { WEATHER_GEOCODING_URL: string; WEATHER_FORECAST_URL: string; WEATHER_TIMEOUT_MS: string };
  mode: WeatherMode;
  requests: string[];
  close(): Promise<void>;
}

export async function startWeatherFixture(mode: WeatherMode = "ok"): Promise<WeatherFixture> {
  const fixture = { mode, requests: [] as string[] } as WeatherFixture;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fixture");
    fixture.requests.push(url.pathname + url.search);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    switch (fixture.mode) {
      case "slow":
        setTimeout(() => json(200, {}), 5_000).unref();
        return;
      case "error":
        return json(503, { reason: "maintenance" });
      case "garbage":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end("<html>not json</html>");
      case "huge":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(`{"results":[${'{"name":"x"},'.repeat(40_000)}{}]}`);
    }
    if (url.pathname === "/v1/search") {
      const city = FIXTURE_CITIES[(url.searchParams.get("name") ?? "").toLowerCase()];
      const name = url.searchParams.get("name") ?? "";
      return json(
        200,
        city
          ? { results: [{ name: name[0]?.toUpperCase() + name.slice(1), ...city }] }
          : { generationtime_ms: 0.1 },
      );
    }
    if (url.pathname === "/v1/forecast") {
      const lat = Number(url.searchParams.get("latitude"));
      const city = Object.values(FIXTURE_CITIES).find((c) => c.latitude === lat);
      if (!city) return json(400, { error: true, reason: "unknown location" });
      return json(200, {
        current: {
          time: "2026-11-26T10:00",
          temperature_2m: city.temperature,
          apparent_temperature: city.temperature - 2,
          relative_humidity_2m: 81,
          wind_speed_10m: 12.5,
          weather_code: 3,
        },
      });
    }
    json(404, { error: true, reason: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fixture.env = {
    WEATHER_GEOCODING_URL: `${base}/v1/search`,
    WEATHER_FORECAST_URL: `${base}/v1/forecast`,
    WEATHER_TIMEOUT_MS: "1000",
  };
  fixture.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fixture;
}
