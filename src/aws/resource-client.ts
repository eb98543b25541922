// One Get and one List for every kind, driven by its declaration (src/kinds): the request is
// built from the operation's path template and parameters, sent through the one signed call
// (signed-call.ts: endpoint, SigV4, timeout, error mapping, request observer), and the answer
// read by resource-deserialize.ts.
import type { GetDecl, KindDecl, ListDecl, OperationDecl, OperationParams, View } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { awsUriEncode } from './arn.js';
import { createSignedCall, type SignedCall } from './signed-call.js';
import { CleanRoomsMlError } from './errors.js';
import { deserializeResourceGet, deserializeResourceList, type ResourcePage } from './resource-deserialize.js';
import type { CleanRoomsMlClientOptions } from './api.js';

export type { ResourcePage } from './resource-deserialize.js';

/** The List page size the monitor always asks for: the model's maximum (1..100). */
export const LIST_PAGE_SIZE = 100;

/** What a Get needs to know about a resource: its ARN, version and parents (a List item has them all). */
export type ResourceRef = Pick<ResourceSnapshot, 'arn' | 'versionIdentifier' | 'parents'>;

export interface ResourceCallOptions {
  signal?: AbortSignal;
}

export interface ResourceListOptions extends ResourceCallOptions {
  nextToken?: string;
  /** Default LIST_PAGE_SIZE. */
  maxResults?: number;
}

/** Get and List for any declared kind. */
export interface ResourceClient {
  /**
   * The Get of `view` (default member) for one resource; rejects for a kind without that Get.
   * A trained model ref without versionIdentifier is answered with the model's LATEST version
   * (the service's rule): the snapshot's id and versionIdentifier say which one came back.
   */
  get(kind: KindDecl, ref: ResourceRef, opts?: ResourceCallOptions & { view?: View }): Promise<ResourceSnapshot>;
  /** One page of `list` (one of kind.lists) with its path parameters and filters. */
  list(kind: KindDecl, list: ListDecl, params: OperationParams, opts?: ResourceListOptions): Promise<ResourcePage>;
}

function localValidation(message: string): CleanRoomsMlError {
  return new CleanRoomsMlError({ name: 'ValidationException', message, httpStatus: 0 });
}

/**
 * The encoded path and query of one operation. Every `{label}` becomes exactly ONE segment
 * (`:` -> %3A, `/` -> %2F; the model's labels are not greedy); optional query parameters are
 * sent when given. A missing or empty label is refused before sending, as the SDK does.
 */
export function buildRequest(op: OperationDecl, params: OperationParams): { path: string; query: Record<string, string> } {
  let path = op.path;
  for (const p of op.pathParams) {
    const v = params[p.from];
    if (typeof v !== 'string' || v.length === 0)
      throw localValidation(`${op.name}: ${p.member} (from ${p.from}) must be a non-empty string`);
    path = path.replace(`{${p.member}}`, awsUriEncode(v));
  }
  const query: Record<string, string> = {};
  for (const p of op.queryParams) {
    const v = params[p.from];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length === 0)
      throw localValidation(`${op.name}: ${p.member} (from ${p.from}) must be a non-empty string when given`);
    query[p.member] = v;
  }
  return { path, query };
}

/** The parameters a Get takes from what is known of a resource. */
export function refParams(ref: ResourceRef): OperationParams {
  const out: OperationParams = { ...ref.parents };
  if (ref.arn !== undefined) out.arn = ref.arn;
  if (ref.versionIdentifier !== undefined) out.versionIdentifier = ref.versionIdentifier;
  return out;
}

export function createResourceClient(opts: CleanRoomsMlClientOptions, call: SignedCall = createSignedCall(opts)): ResourceClient {
  return {
    async get(kind, ref, callOpts) {
      const view = callOpts?.view ?? 'member';
      const op: GetDecl | undefined = kind.get[view];
      if (!op)
        throw localValidation(
          `${kind.kind} has no ${view} Get${Object.keys(kind.get).length === 0 ? ' (its List items are all the service tells)' : ''}`,
        );
      const { path, query } = buildRequest(op, refParams(ref));
      return call(op.name, path, query, callOpts?.signal, (body, requestId) =>
        deserializeResourceGet(kind, op, body, requestId, opts.onAnswerIssue),
      );
    },
    async list(kind, list, params, listOpts) {
      if (!kind.lists.includes(list)) throw localValidation(`${list.name} is not a List of ${kind.kind}`);
      const { path, query } = buildRequest(list, params);
      const maxResults = listOpts?.maxResults ?? LIST_PAGE_SIZE;
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)
        throw localValidation(`${list.name}: maxResults must be a whole number in 1..100, got ${maxResults}`);
      query['maxResults'] = String(maxResults);
      if (listOpts?.nextToken !== undefined) query['nextToken'] = listOpts.nextToken;
      return call(list.name, path, query, listOpts?.signal, (body, requestId) =>
        deserializeResourceList(kind, list, body, requestId, opts.onAnswerIssue),
      );
    },
  };
}
