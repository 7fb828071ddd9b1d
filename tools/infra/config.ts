import { z } from 'zod';
import { kafkaEnv, temporalEnv } from '@smartscale/config';

/** Where clients connect: ports from SMARTSCALE_* variables (only tools/infra reads them). */
export interface InfraConfig {
  kafka: { host: string; port: number; controllerPort: number; brokers: string };
  temporal: { address: string; uiPort: number; uiUrl: string };
}

/** The local servers listen on loopback only. */
export const HOST = '127.0.0.1';

// The default ports are the ones the apps' config schemas default to (libs/config), so an app started
// without any SMARTSCALE_* variable finds the local servers. The KRaft controller port is infra's own.
const appDefaults = z.object({ ...kafkaEnv, ...temporalEnv }).parse({});
const portOf = (hostPort: string): number => Number(new URL(hostPort.includes('://') ? hostPort : `tcp://${hostPort}`).port);

/** The variables infra reads, with their defaults and what they set (tools/docs/configuration.ts lists them). */
export const INFRA_ENV = [
  {
    name: 'SMARTSCALE_KAFKA_PORT',
    default: portOf(appDefaults.SMARTSCALE_KAFKA_BROKERS[0]),
    description: "The local broker's client port.",
  },
  { name: 'SMARTSCALE_KAFKA_CONTROLLER_PORT', default: 9093, description: "The local broker's KRaft controller port." },
  {
    name: 'SMARTSCALE_TEMPORAL_PORT',
    default: portOf(appDefaults.SMARTSCALE_TEMPORAL_ADDRESS),
    description: "The local Temporal dev server's frontend port.",
  },
  {
    name: 'SMARTSCALE_TEMPORAL_UI_PORT',
    default: portOf(appDefaults.SMARTSCALE_TEMPORAL_UI_URL),
    description: "The local Temporal dev server's UI port.",
  },
] as const;

type InfraEnvName = (typeof INFRA_ENV)[number]['name'];

/** The port in env[name], or its default; anything but an integer in 1..65535 throws naming the variable. */
export function envPort(name: InfraEnvName, env: NodeJS.ProcessEnv = process.env): number {
  const fallback = INFRA_ENV.find((v) => v.name === name)!.default;
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a valid port`);
  return port;
}

/** Where clients connect, from the environment (see INFRA_ENV). */
export function config(env: NodeJS.ProcessEnv = process.env): InfraConfig {
  const port = envPort('SMARTSCALE_KAFKA_PORT', env);
  const controllerPort = envPort('SMARTSCALE_KAFKA_CONTROLLER_PORT', env);
  const temporalPort = envPort('SMARTSCALE_TEMPORAL_PORT', env);
  const uiPort = envPort('SMARTSCALE_TEMPORAL_UI_PORT', env);
  return {
    kafka: { host: HOST, port, controllerPort, brokers: `${HOST}:${port}` },
    temporal: { address: `${HOST}:${temporalPort}`, uiPort, uiUrl: `http://${HOST}:${uiPort}` },
  };
}
