// startSimulator: a node:http (or https) server speaking the Clean Rooms ML wire protocol on one
// port (AWS paths) and the control API under /_sim/ on the same port.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from '../../domain.js';
import { handleAws } from './aws-api.js';
import { handleControl } from './control-api.js';
import type { Faults } from './faults.js';
import { deleteResource, listResources, putResources, setResourceStatus, type WireResource } from './resources.js';
import type { ResourceFleetOptions } from './resource-fleet.js';
import { resetSocket, sendJson } from './respond.js';
import { parseScenario } from './scenario.js';
import type { ControlJobInput, FaultsInput, Scenario, SetStatusInput } from './schemas.js';
import type { SimCredentials } from './sigv4.js';
import { SimState } from './state.js';
import type { SimStats } from './stats.js';
import { deleteJob, listJobs, putJobs, setJobStatus, type WireJob } from './jobs-view.js';

export type { Scenario } from './schemas.js';
export type { WireJob } from './jobs-view.js';
export type { Faults } from './faults.js';
export type { SimStats } from './stats.js';
export type { WireResource } from './resources.js';

const MAX_REQUEST_BYTES = 1024 * 1024;

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default Date.now. Scenario timelines and fleet progress follow it. */
  clock?: Clock;
  scenario?: Scenario;
  /** Size of a synthetic fleet to add. */
  jobs?: number;
  /** A membership fleet of the other kinds (after `jobs`, whose ARNs parent its audience export jobs). */
  resourceFleet?: ResourceFleetOptions;
  /** PRNG seed for ids, faults and fleets. Default 1. */
  seed?: number;
  /** When given, SigV4 signatures are recomputed and a mismatch is refused (403). */
  credentials?: SimCredentials;
  /** Serve https with this key and certificate (PEM), which must name the address `url` holds (test/fixtures/tls names 127.0.0.1). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** A running simulator; the methods mirror the control API for in-process use. */
export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
  /** GET /_sim/jobs */
  jobs(): WireJob[];
  /** PUT /_sim/jobs (throws SimInputError on invalid input) */
  putJobs(jobs: ControlJobInput[]): WireJob[];
  /** POST /_sim/jobs/{arn}/status; undefined for an unknown ARN */
  setStatus(arn: string, body: SetStatusInput): WireJob | undefined;
  /** DELETE /_sim/jobs/{arn}; false for an unknown ARN */
  deleteJob(arn: string): boolean;
  /** GET /_sim/resources[?kind=K] */
  resources(kind?: string): WireResource[];
  /** PUT /_sim/resources (throws SimInputError on invalid input) */
  putResources(resources: unknown[]): WireResource[];
  /** POST /_sim/resources/{id}/status; undefined for an unknown id */
  setResourceStatus(
    id: string,
    body: { status: string; statusDetails?: { statusCode?: string; message?: string } },
  ): WireResource | undefined;
  /** DELETE /_sim/resources/{id}; false for an unknown id */
  deleteResource(id: string): boolean;
  /** PUT /_sim/faults (absent = off) */
  setFaults(faults: FaultsInput): Faults;
  /** GET /_sim/stats */
  stats(): SimStats;
  /** POST /_sim/reset */
  reset(): void;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const clock = opts.clock ?? { now: () => Date.now() };
  const state = new SimState(clock, opts.seed ?? 1);
  if (opts.scenario) state.loadScenario(parseScenario(opts.scenario));
  if (opts.jobs) state.loadFleet(opts.jobs);
  if (opts.resourceFleet) state.loadResourceFleet(opts.resourceFleet);
  const closing = new AbortController();
  const ctx = { state, credentials: opts.credentials, closing: closing.signal };

  // When each connection last finished an AWS answer (simulator clock), for resetIdleAfterMs.
  const lastAnswered = new WeakMap<Socket, number>();
  const handler: http.RequestListener = (req, res) => {
    const isControl = (req.url ?? '').startsWith('/_sim/');
    if (!isControl) {
      const socket = req.socket;
      const last = lastAnswered.get(socket);
      if (state.faults.resetsIdle(last === undefined ? undefined : state.clock.now() - last)) {
        state.stats.idleReset();
        return resetSocket(socket);
      }
      state.stats.connectionUsed(socket);
      res.on('finish', () => lastAnswered.set(socket, state.clock.now()));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) return sendJson(res, 413, { message: 'request body too large' });
      const body = Buffer.concat(chunks);
      Promise.resolve()
        .then(() => (isControl ? handleControl(state, req, res, body) : handleAws(ctx, req, res, body)))
        .catch((err: unknown) => {
          if (!res.headersSent)
            sendJson(
              res,
              500,
              { message: `simulator bug: ${(err as Error)?.message ?? String(err)}` },
              { 'x-amzn-errortype': 'InternalServiceException' },
            );
          else res.destroy();
        });
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    jobs: () => listJobs(state),
    putJobs: (jobs) => putJobs(state, { jobs }),
    setStatus: (arn, body) => setJobStatus(state, arn, body),
    deleteJob: (arn) => deleteJob(state, arn),
    resources: (kind) => listResources(state, kind),
    putResources: (resources) => putResources(state, { resources }),
    setResourceStatus: (id, body) => setResourceStatus(state, id, body),
    deleteResource: (id) => deleteResource(state, id),
    setFaults: (f) => state.setFaults(f),
    stats: () => state.statsSnapshot(),
    reset: () => state.reset(),
  };
}
