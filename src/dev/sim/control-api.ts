// The simulator's control API (README "Simulator"): JSON under /_sim/, no signature. Tests and benchmarks
// drive resources, faults and time through it instead of sleeping. /_sim/jobs and /_sim/resources
// are two views of the one store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deleteJob, listJobs, putJobs, setJobStatus } from './jobs-view.js';
import { deleteResource, listResources, putResources, setResourceStatus, setResourceTags } from './resources.js';
import { sendJson } from './respond.js';
import { SimInputError } from './schemas.js';
import type { SimState } from './state.js';

export function handleControl(state: SimState, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const rawPath = (req.url ?? '/').split('?')[0]!;
  const method = req.method ?? 'GET';
  try {
    if (rawPath === '/_sim/jobs') {
      if (method === 'GET') return sendJson(res, 200, { jobs: listJobs(state) });
      if (method === 'PUT') return sendJson(res, 200, { jobs: putJobs(state, parseBody(body)) });
    }
    // The ARN may arrive percent-encoded (one segment) or with its literal `/`: accept both.
    const statusMatch = /^\/_sim\/jobs\/(.+)\/status$/.exec(rawPath);
    if (statusMatch && method === 'POST') {
      const arn = decode(statusMatch[1]!);
      const job = setJobStatus(state, arn, parseBody(body));
      return job ? sendJson(res, 200, job) : sendJson(res, 404, { message: `no such job: ${arn}` });
    }
    const jobMatch = /^\/_sim\/jobs\/(.+)$/.exec(rawPath);
    if (jobMatch && method === 'DELETE') {
      const arn = decode(jobMatch[1]!);
      return deleteJob(state, arn) ? sendJson(res, 200, { deleted: arn }) : sendJson(res, 404, { message: `no such job: ${arn}` });
    }
    if (rawPath === '/_sim/resources') {
      if (method === 'GET') {
        const kind = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('kind') ?? undefined;
        return sendJson(res, 200, { resources: listResources(state, kind) });
      }
      if (method === 'PUT') return sendJson(res, 200, { resources: putResources(state, parseBody(body)) });
    }
    // The id is one url-encoded segment (ids hold `/` and `#`).
    const resStatus = /^\/_sim\/resources\/([^/]+)\/status$/.exec(rawPath);
    if (resStatus && method === 'POST') {
      const id = decode(resStatus[1]!);
      const r = setResourceStatus(state, id, parseBody(body));
      return r ? sendJson(res, 200, r) : sendJson(res, 404, { message: `no such resource: ${id}` });
    }
    const resTags = /^\/_sim\/resources\/([^/]+)\/tags$/.exec(rawPath);
    if (resTags && method === 'POST') {
      const id = decode(resTags[1]!);
      const r = setResourceTags(state, id, parseBody(body));
      return r ? sendJson(res, 200, r) : sendJson(res, 404, { message: `no such resource: ${id}` });
    }
    const resItem = /^\/_sim\/resources\/([^/]+)$/.exec(rawPath);
    if (resItem && method === 'DELETE') {
      const id = decode(resItem[1]!);
      return deleteResource(state, id) ? sendJson(res, 200, { deleted: id }) : sendJson(res, 404, { message: `no such resource: ${id}` });
    }
    if (rawPath === '/_sim/faults' && method === 'PUT') return sendJson(res, 200, { faults: state.setFaults(parseBody(body)) });
    if (rawPath === '/_sim/faults' && method === 'GET') return sendJson(res, 200, { faults: state.faults.current });
    if (rawPath === '/_sim/stats' && method === 'GET') return sendJson(res, 200, state.statsSnapshot());
    if (rawPath === '/_sim/requests' && method === 'GET') {
      const since = Number(new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('since') ?? 0);
      return sendJson(res, 200, { requests: state.requestLog.since(Number.isFinite(since) ? since : 0) });
    }
    if (rawPath === '/_sim/reset' && method === 'POST') {
      state.reset();
      return sendJson(res, 200, { reset: true });
    }
    sendJson(res, 404, { message: `no control route ${method} ${rawPath}` });
  } catch (err) {
    if (err instanceof SimInputError) return sendJson(res, 400, { message: err.message });
    throw err;
  }
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new SimInputError('request body is not JSON');
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SimInputError(`not a valid percent-encoded ARN: ${s}`);
  }
}
