// Several accounts and regions: an identity is a role (or the base identity) in a region. A role is
// assumed through STS with fromTemporaryCredentials (its client comes with
// @aws-sdk/credential-providers, via @aws-sdk/nested-clients); the base identity is the Node.js
// provider chain (IRSA, Pod Identity...). STS calls go through the config's connection pool.
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from './api.js';
import type { ProxyAwareAgents } from '../net/proxy-agent.js';
import { parseArn } from './arn.js';
import { defaultCredentialChain } from './credentials.js';
import { stsRequestHandler } from './http.js';

export interface ConnSpec {
  /** Role to assume; undefined: the base identity. */
  roleArn: string | undefined;
  region: string;
}

/** Stable identity of a (role, region) pair: `<roleArn>@<region>` (`@<region>` for the base identity). */
export function connKey(c: ConnSpec): string {
  return `${c.roleArn ?? ''}@${c.region}`;
}

/** Key of the rate limiter of a connection: the role's account (or "default") and the region. */
export function limiterKey(c: ConnSpec): string {
  const account = (c.roleArn ? parseArn(c.roleArn)?.account : undefined) || 'default';
  return `${account}/${c.region}`;
}

/** Credentials of a connection: the base identity, or a role assumed with it; STS on the pool `agents`. */
export function credentialsFor(c: ConnSpec, agents: ProxyAwareAgents, base?: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  const master = base ?? defaultCredentialChain(agents);
  if (!c.roleArn) return master;
  return fromTemporaryCredentials({
    masterCredentials: master,
    params: { RoleArn: c.roleArn, RoleSessionName: 'cleanroomsml-monitor', DurationSeconds: 3600 },
    clientConfig: { region: c.region, requestHandler: stsRequestHandler(agents) },
  });
}
