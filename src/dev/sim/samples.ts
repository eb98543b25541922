// Example values for the members the model requires of a resource and that neither its creator
// nor its declaration gives: structures such as a training job's resource configuration. Ids,
// ARNs and parents are made from the declaration (resource-kinds.ts); these are the rest. A kind
// whose required members are all ids needs no line here.
import type { KindName } from '../../kinds/kind.js';
import { arnOfType, DEFAULT_ACCOUNT_ID } from './defaults.js';

/** Where a sample is made: the resource's membership. */
interface SampleContext {
  membership: string;
}

export const SAMPLE_MEMBERS: Readonly<Partial<Record<KindName, (ctx: SampleContext) => Record<string, unknown>>>> = {
  audienceGenerationJob: () => ({ startedBy: DEFAULT_ACCOUNT_ID }),
  audienceExportJob: () => ({ audienceSize: { type: 'ABSOLUTE', value: 10_000 } }),
  trainedModel: ({ membership }) => ({
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 10 },
    trainingInputMode: 'File',
    creatorAccountId: DEFAULT_ACCOUNT_ID,
    dataChannels: [{ mlInputChannelArn: arnOfType('ml-input-channel', 'default-channel', { membership }), channelName: 'train' }],
  }),
  trainedModelInferenceJob: ({ membership }) => ({
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
    outputConfiguration: { members: [{ accountId: DEFAULT_ACCOUNT_ID }] },
    dataSource: { mlInputChannelArn: arnOfType('ml-input-channel', 'default-channel', { membership }) },
    creatorAccountId: DEFAULT_ACCOUNT_ID,
  }),
  trainedModelExportJob: () => ({
    outputConfiguration: { members: [{ accountId: DEFAULT_ACCOUNT_ID }] },
    creatorAccountId: DEFAULT_ACCOUNT_ID,
  }),
  mlInputChannel: ({ membership }) => ({
    configuredModelAlgorithmAssociations: [arnOfType('configured-model-algorithm-association', 'default-association', { membership })],
    retentionInDays: 7,
    // Carries a query (a `sensitive` shape in the model), so tests can prove clients drop it.
    inputChannel: {
      dataSource: { protectedQueryInputParameters: { sqlParameters: { queryString: 'SELECT user_id, features FROM training' } } },
      roleArn: `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:role/cleanrooms-ml-input`,
    },
    creatorAccountId: DEFAULT_ACCOUNT_ID,
  }),
};
