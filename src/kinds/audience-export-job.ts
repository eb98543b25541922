// Audience export jobs (an audience of a given size written to S3). They have no ARN and no Get:
// ListAudienceExportJobs (account scoped, filter audienceGenerationJobArn) is the only read,
// and its items carry statusDetails. Identity: the parent job ARN, the name and the createTime,
// all required members of the item and fixed once the export job exists.
import type { KindDecl } from './kind.js';
import { statusTable } from './statuses.js';

export const audienceExportJob: KindDecl = {
  kind: 'audienceExportJob',
  snake: 'audience_export_job',
  title: 'audience export job',
  identity: {
    from: 'parent',
    parent: 'audienceGenerationJobArn',
    segment: 'export',
    members: ['audienceGenerationJobArn', 'name', 'createTime'],
    description: '<audienceGenerationJobArn>#export=<url-encoded name>@<createTime, ISO-8601 with milliseconds>',
  },
  // Listed per audience generation job of the entry (src/kinds/discovery.ts).
  parents: { audienceGenerationJobArn: { member: 'audienceGenerationJobArn', id: { type: 'resource', kind: 'audienceGenerationJob' } } },
  statusShape: 'AudienceExportJobStatus',
  statuses: statusTable('CREATE', 'ACTIVE'),
  get: {},
  lists: [
    {
      type: 'list',
      name: 'ListAudienceExportJobs',
      view: 'member',
      scope: 'account',
      path: '/audience-export-job',
      pathParams: [],
      queryParams: [{ member: 'audienceGenerationJobArn', from: 'audienceGenerationJobArn' }],
      listMember: 'audienceExportJobs',
      members: [
        'createTime',
        'updateTime',
        'name',
        'audienceGenerationJobArn',
        'audienceSize',
        'description',
        'status',
        'statusDetails',
        'outputLocation',
      ],
      required: ['createTime', 'updateTime', 'name', 'audienceGenerationJobArn', 'audienceSize', 'status'],
    },
  ],
  results: [
    {
      type: 'number',
      key: 'audience_size',
      help: 'Requested audience size (a count for ABSOLUTE, a percentage for PERCENTAGE).',
      value: ['audienceSize', 'value'],
      labels: { audience_size_type: ['audienceSize', 'type'] },
      shape: 'AudienceSizeValue',
      integer: true,
      min: 1,
      max: 20_000_000,
    },
  ],
  labels: [
    { label: 'audience_generation_job_arn', path: ['audienceGenerationJobArn'] },
    { label: 'output_location', path: ['outputLocation'] },
  ],
  facts: [
    { title: 'Audience generation job', from: { parent: 'audienceGenerationJobArn' }, format: 'text' },
    { title: 'Audience size', from: { result: 'audience_size' }, format: 'count' },
    { title: 'Output', from: { label: 'output_location' }, format: 'text' },
  ],
  // No Get: the tags of its audience generation job, when watched.
  tags: { inherit: 'audienceGenerationJobArn' },
};
