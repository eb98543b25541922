// Public surface of the AWS layer.
export { createCleanRoomsMlClient, SIGNING_NAME } from './client.js';
export { CleanRoomsMlError, classifyError, errorFromResponse, sanitizeErrorType, MODELED_ERRORS } from './errors.js';
export type { ErrorClass, LocalErrorName } from './errors.js';
export { snapshotFromJob, snapshotFromSummary, jobToWire } from './snapshot.js';
export { parseJobArn, awsUriEncode } from './arn.js';
export type { ParsedJobArn } from './arn.js';
export { resolveEndpoint, partitionOf } from './endpoint.js';
export { parseIsoTimestamp, formatIsoTimestamp } from './timestamps.js';
export type * from './types.js';
export { createResourceClient, listAll, buildRequest, refParams, LIST_PAGE_SIZE } from './resource-client.js';
export type { ResourceClient, ResourceRef, ResourcePage, ResourceCallOptions, ResourceListOptions } from './resource-client.js';
export { createSignedCall } from './client.js';
export type { SignedCall } from './client.js';
