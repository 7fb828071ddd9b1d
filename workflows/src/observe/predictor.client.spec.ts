import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadWorkerConfig } from '../config/worker.config';
import { PredictorClient } from './predictor.client';

/** A real HTTP predictor stand-in on loopback whose answer each test chooses. */
describe(PredictorClient.name, () => {
  let server: Server;
  let answer = '';
  let client: PredictorClient;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new PredictorClient(
      loadWorkerConfig({ SMARTSCALE_PREDICTOR_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('reads the peak and the upper peak of the horizon', async () => {
    answer = JSON.stringify({
      basedOnWindowEnd: 1000,
      anomalyScore: 0.2,
      points: [
        { eventsPerSecond: 5, upper: 7 },
        { eventsPerSecond: 9, upper: 11 },
      ],
    });
    await expect(client.forecast('web', 2)).resolves.toEqual({
      peakEventsPerSecond: 9,
      upperPeakEventsPerSecond: 11,
      basedOnWindowEnd: 1000,
      anomalyScore: 0.2,
    });
  });

  it('carries how many windows the forecast was learned from, and the periods and coverage, to decide()', async () => {
    answer = JSON.stringify({
      basedOnWindowEnd: 1000,
      anomalyScore: 0,
      windowMs: 10_000,
      seasonalPeriods: [24],
      intervalCoverage: 0.8,
      historyWindows: 3,
      points: [{ eventsPerSecond: 0, upper: 3 }],
    });
    await expect(client.forecast('web', 1)).resolves.toEqual({
      peakEventsPerSecond: 0,
      upperPeakEventsPerSecond: 3,
      basedOnWindowEnd: 1000,
      anomalyScore: 0,
      seasonalPeriodsMs: [240_000],
      intervalCoverage: 0.8,
      historyWindows: 3,
    });
  });

  it.each([
    ['a negative', -1],
    ['a fractional', 2.5],
    ['a textual', '360'],
  ])('refuses %s history as a forecast error', async (_what, historyWindows) => {
    answer = JSON.stringify({ basedOnWindowEnd: 1000, anomalyScore: 0, historyWindows, points: [{ eventsPerSecond: 5, upper: 7 }] });
    await expect(client.forecast('web', 2)).rejects.toThrow(/predictor answered an invalid forecast for web: historyWindows/);
  });

  it.each([
    ['no points', { basedOnWindowEnd: 1000, anomalyScore: 0, points: [] }],
    ['a rate that is not a number', { basedOnWindowEnd: 1000, anomalyScore: 0, points: [{ eventsPerSecond: 'lots', upper: 7 }] }],
    ['a negative rate', { basedOnWindowEnd: 1000, anomalyScore: 0, points: [{ eventsPerSecond: -5, upper: 7 }] }],
    ['an error page with status 200', '<html>502 Bad Gateway</html>'],
  ])('refuses %s as a forecast error instead of planning for -Infinity or NaN', async (_what, body) => {
    answer = typeof body === 'string' ? body : JSON.stringify(body);
    await expect(client.forecast('web', 2)).rejects.toThrow(/predictor answered an invalid forecast for web/);
  });
});
