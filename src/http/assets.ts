// The status page's script, stylesheet and icon: files shipped beside this module, in
// dist/http/static (`npm run build` copies them from src/http/static). Read on first use and kept
// in memory with a strong ETag (a browser revalidates with If-None-Match and gets a 304). A file
// missing from an incomplete install is an error that names it, not a blank page.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Every file the page uses, with its type: nothing else under /static/ is served. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'page.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface Assets {
  /** The file, undefined for a name that is not one of ASSET_TYPES; rejects when the file cannot be read. */
  get(name: string): Promise<Asset | undefined>;
}

export const ASSET_DIR = fileURLToPath(new URL('./static/', import.meta.url));

export function createAssets(dir = ASSET_DIR): Assets {
  const cache = new Map<string, Asset>();
  return {
    async get(name) {
      const type = Object.hasOwn(ASSET_TYPES, name) ? ASSET_TYPES[name] : undefined;
      if (type === undefined) return undefined;
      const hit = cache.get(name);
      if (hit) return hit;
      let body: Buffer;
      try {
        body = await readFile(`${dir}${name}`);
      } catch (err) {
        throw new Error(
          `the status page's ${name} cannot be read from ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'}): the install is incomplete`,
        );
      }
      const asset = { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
      cache.set(name, asset);
      return asset;
    },
  };
}
