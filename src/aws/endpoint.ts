// Endpoint resolution, a table-driven reading of endpoint-rule-set-1.json:
// `https://cleanrooms-ml[-fips].{Region}.{PartitionResult#dnsSuffix}`; a custom endpoint wins.
// Partition regexes and DNS suffixes come from the AWS SDK's partitions.json.

const PARTITIONS: ReadonlyArray<{ name: string; regionRe: RegExp; dnsSuffix: string }> = [
  { name: 'aws-cn', regionRe: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { name: 'aws-us-gov', regionRe: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { name: 'aws-iso', regionRe: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { name: 'aws-iso-b', regionRe: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { name: 'aws-iso-e', regionRe: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { name: 'aws-iso-f', regionRe: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
  { name: 'aws-eusc', regionRe: /^eusc-(de)-\w+-\d+$/, dnsSuffix: 'amazonaws.eu' },
];

/** The partition a region belongs to; unknown regions fall back to `aws` like the SDK does. */
export function partitionOf(region: string): { name: string; dnsSuffix: string } {
  for (const p of PARTITIONS) if (p.regionRe.test(region)) return { name: p.name, dnsSuffix: p.dnsSuffix };
  return { name: 'aws', dnsSuffix: 'amazonaws.com' };
}

export function resolveEndpoint(region: string, opts: { endpoint?: string; useFips?: boolean } = {}): URL {
  if (opts.endpoint) {
    // The rule set refuses FIPS with a custom endpoint ("FIPS and custom endpoint are not supported").
    if (opts.useFips) throw new Error('Invalid Configuration: FIPS and custom endpoint are not supported');
    const url = new URL(opts.endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`endpoint must be http(s): ${opts.endpoint}`);
    return url;
  }
  // The rule set inserts Region into a host name: only a valid host label is acceptable.
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(region)) throw new Error(`invalid AWS region: ${JSON.stringify(region)}`);
  const { dnsSuffix } = partitionOf(region);
  return new URL(`https://cleanrooms-ml${opts.useFips ? '-fips' : ''}.${region}.${dnsSuffix}`);
}
