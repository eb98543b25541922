// Every item of a List, through the monitor's one paging routine (src/poll/pages.ts).
import type { ResourceClient } from '../../src/aws/resource-client.js';
import type { KindDecl, ListDecl, OperationParams } from '../../src/kinds/kind.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { readPages } from '../../src/poll/pages.js';

export function listAll(client: ResourceClient, kind: KindDecl, list: ListDecl, params: OperationParams): Promise<ResourceSnapshot[]> {
  return readPages(
    (nextToken) => client.list(kind, list, params, nextToken ? { nextToken } : {}),
    1_000,
    (page) => page.items,
  );
}
