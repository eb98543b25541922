// The audience generation job client: GetAudienceGenerationJob and ListAudienceGenerationJobs
// in their SDK-like typed shapes, over the shared signed call (signed-call.ts). Wire format per
// service-2.json:
//   GET /audience-generation-job/{audienceGenerationJobArn}  (label, not greedy: ONE segment)
//   GET /audience-generation-job?collaborationId&configuredAudienceModelArn&maxResults&nextToken
import { awsUriEncode } from './arn.js';
import { deserializeGetJob, deserializeListJobs } from './deserialize.js';
import { CleanRoomsMlError } from './errors.js';
import { createSignedCall, type SignedCall } from './signed-call.js';
import type { CleanRoomsMlApi, CleanRoomsMlClientOptions } from './types.js';

export { createSignedCall, SIGNING_NAME, type SignedCall } from './signed-call.js';

export function createCleanRoomsMlClient(opts: CleanRoomsMlClientOptions, call: SignedCall = createSignedCall(opts)): CleanRoomsMlApi {
  return {
    async getAudienceGenerationJob(input, callOpts) {
      const arn = input.audienceGenerationJobArn;
      // The SDK refuses an empty label before sending ("Expected non-empty value for label").
      if (typeof arn !== 'string' || arn.length === 0) {
        throw new CleanRoomsMlError({
          name: 'ValidationException',
          message: 'audienceGenerationJobArn must be a non-empty string',
          httpStatus: 0,
        });
      }
      return call('GetAudienceGenerationJob', `/audience-generation-job/${awsUriEncode(arn)}`, {}, callOpts?.signal, deserializeGetJob);
    },
    async listAudienceGenerationJobs(input, callOpts) {
      const query: Record<string, string> = {};
      if (input.collaborationId !== undefined) query['collaborationId'] = input.collaborationId;
      if (input.configuredAudienceModelArn !== undefined) query['configuredAudienceModelArn'] = input.configuredAudienceModelArn;
      if (input.maxResults !== undefined) query['maxResults'] = String(input.maxResults);
      if (input.nextToken !== undefined) query['nextToken'] = input.nextToken;
      return call('ListAudienceGenerationJobs', '/audience-generation-job', query, callOpts?.signal, deserializeListJobs);
    },
  };
}
