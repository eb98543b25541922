// Trained model export jobs (a trained model's artifacts delivered to a member). No ARN, no Get,
// and only one read: ListCollaborationTrainedModelExportJobs, which needs both the collaboration
// and the trained model (optionally one version). Its items carry statusDetails. Identity: the
// trained model ARN, its version when given, the name and the createTime.
import type { KindDecl } from './kind.js';
import { COLLABORATION, MEMBERSHIP, TRAINED_MODEL, TRAINED_MODEL_VERSION } from './parents.js';
import { statusTable } from './statuses.js';

export const trainedModelExportJob: KindDecl = {
  kind: 'trainedModelExportJob',
  snake: 'trained_model_export_job',
  title: 'trained model export job',
  identity: {
    from: 'parent',
    parent: 'trainedModelArn',
    segment: 'export',
    members: ['trainedModelArn', 'trainedModelVersionIdentifier', 'name', 'createTime'],
    description:
      '<trainedModelArn>[#version=<trainedModelVersionIdentifier>]#export=<url-encoded name>@<createTime, ISO-8601 with milliseconds>',
  },
  parents: {
    membershipId: MEMBERSHIP,
    collaborationId: COLLABORATION,
    // Listed per trained model of the entry's collaboration (src/kinds/discovery.ts).
    trainedModelArn: TRAINED_MODEL,
    trainedModelVersionIdentifier: TRAINED_MODEL_VERSION,
  },
  statusShape: 'TrainedModelExportJobStatus',
  statuses: statusTable('CREATE', 'ACTIVE'),
  get: {},
  lists: [
    {
      type: 'list',
      name: 'ListCollaborationTrainedModelExportJobs',
      view: 'collaboration',
      scope: 'collaboration',
      path: '/collaborations/{collaborationIdentifier}/trained-models/{trainedModelArn}/export-jobs',
      pathParams: [
        { member: 'collaborationIdentifier', from: 'collaborationId' },
        { member: 'trainedModelArn', from: 'trainedModelArn' },
      ],
      queryParams: [{ member: 'trainedModelVersionIdentifier', from: 'trainedModelVersionIdentifier' }],
      listMember: 'collaborationTrainedModelExportJobs',
      members: [
        'createTime',
        'updateTime',
        'name',
        'outputConfiguration',
        'status',
        'statusDetails',
        'description',
        'creatorAccountId',
        'trainedModelArn',
        'trainedModelVersionIdentifier',
        'membershipIdentifier',
        'collaborationIdentifier',
      ],
      required: [
        'createTime',
        'updateTime',
        'name',
        'outputConfiguration',
        'status',
        'creatorAccountId',
        'trainedModelArn',
        'membershipIdentifier',
        'collaborationIdentifier',
      ],
    },
  ],
  results: [],
  labels: [
    { label: 'membership_id', path: ['membershipIdentifier'] },
    { label: 'collaboration_id', path: ['collaborationIdentifier'] },
    { label: 'trained_model_arn', path: ['trainedModelArn'] },
    { label: 'trained_model_version_identifier', path: ['trainedModelVersionIdentifier'] },
    { label: 'creator_account_id', path: ['creatorAccountId'] },
  ],
  facts: [
    { title: 'Trained model', from: { parent: 'trainedModelArn' }, format: 'text' },
    { title: 'Model version', from: { parent: 'trainedModelVersionIdentifier' }, format: 'text' },
  ],
  // No Get: the tags of its trained model, when watched.
  tags: { inherit: 'trainedModelArn' },
};
