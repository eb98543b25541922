// The Prometheus label of a tag key listed in `tags.keys`: `tag_` and the key with every character
// a label name cannot hold ([^a-zA-Z0-9_]) replaced by `_` (`cost-center` -> `tag_cost_center`),
// as kube-state-metrics names `kube_<kind>_labels`. The prefix keeps the name valid (no leading
// digit) and out of the reserved `__` space. The schema refuses two keys that give one name; the
// metrics renderer (src/metrics/resource-families.ts) labels with it.

export function tagLabelName(key: string): string {
  return `tag_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}
