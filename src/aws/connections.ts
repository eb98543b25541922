// Several accounts and regions: one client per (role, region) and one adaptive rate limiter per
// (account, region), since throttling is accounted per account and region. A role is assumed
// through STS with fromTemporaryCredentials (its client comes with @aws-sdk/credential-providers,
// via @aws-sdk/nested-clients); the base identity is the Node.js provider chain (IRSA, Pod Identity...).
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { defaultCredentialChain } from './credentials.js';
import { stsRequestHandler } from './http.js';

export interface ConnSpec {
  /** Role to assume; undefined: the base identity. */
  roleArn: string | undefined;
  region: string;
}

/** Stable key of a (role, region) pair: `<roleArn>@<region>` (`@<region>` for the base identity). */
export function connKey(c: ConnSpec): string {
  return `${c.roleArn ?? ''}@${c.region}`;
}

export function parseConnKey(key: string): ConnSpec {
  const at = key.lastIndexOf('@');
  const role = key.slice(0, at);
  return { roleArn: role === '' ? undefined : role, region: key.slice(at + 1) };
}

/** Key of the rate limiter of a connection: the role's account (or "default") and the region. */
export function limiterKey(c: ConnSpec): string {
  const account = c.roleArn ? (c.roleArn.split(':')[4] ?? 'default') : 'default';
  return `${account}/${c.region}`;
}

/** Credentials of a connection: the base identity, or a role assumed with it. */
export function credentialsFor(c: ConnSpec, base?: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  const master = base ?? defaultCredentialChain();
  if (!c.roleArn) return master;
  return fromTemporaryCredentials({
    masterCredentials: master,
    params: { RoleArn: c.roleArn, RoleSessionName: 'cleanroomsml-monitor', DurationSeconds: 3600 },
    clientConfig: { region: c.region, requestHandler: stsRequestHandler() },
  });
}
