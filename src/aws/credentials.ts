// Credential resolution with caching: the provider is asked again only when the cached identity
// is within five minutes of expiring (or was explicitly invalidated after ExpiredToken).
// fromNodeProviderChain already memoizes; custom providers may not.
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { ProxyAwareAgents } from '../net/proxy-agent.js';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from './api.js';
import { stsRequestHandler } from './http.js';

/** The SDK's Node.js chain (env, profile, IRSA, Pod Identity, IMDS), its STS calls on the pool `agents`. */
export function defaultCredentialChain(agents: ProxyAwareAgents): AwsCredentialIdentityProvider {
  return fromNodeProviderChain({ clientConfig: { requestHandler: stsRequestHandler(agents) } });
}

const REFRESH_BEFORE_MS = 5 * 60_000;

export interface CachedCredentials {
  get(): Promise<AwsCredentialIdentity>;
  invalidate(): void;
}

export function cacheCredentials(provider: AwsCredentialIdentityProvider, now: () => number = Date.now): CachedCredentials {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let current: AwsCredentialIdentity | undefined;
  const fresh = (c: AwsCredentialIdentity): boolean => !c.expiration || c.expiration.getTime() - now() > REFRESH_BEFORE_MS;
  return {
    async get() {
      if (current && fresh(current)) return current;
      pending ??= provider()
        .then((c) => {
          current = c;
          return c;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
    invalidate() {
      current = undefined;
    },
  };
}
