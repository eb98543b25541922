// What the image's runtime stage tells about how the daemon is started: the node flags of its
// ENTRYPOINT and its ENV. The bench starts the daemon the same way (with the chart's memory limit,
// bench/cgroup.ts), so the figures are the pod's; the deploy-file tests read the same instructions.
import { readFile } from 'node:fs/promises';

export interface DockerInstruction {
  op: string;
  args: string;
  /** Index of the FROM it belongs to; -1 before the first (global ARGs). */
  stage: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
export function dockerInstructions(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let stage = -1;
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'FROM') stage++;
    out.push({ op: m[1]!, args: m[2]!.replace(/\s+/g, ' '), stage });
  }
  return out;
}

export interface ImageRuntime {
  /** Flags between the node binary and the script in the runtime ENTRYPOINT. */
  nodeFlags: string[];
  /** ENV of the runtime stage (KEY=value form). */
  env: Record<string, string>;
}

export function imageRuntime(text: string): ImageRuntime {
  const ins = dockerInstructions(text);
  const last = Math.max(...ins.map((i) => i.stage));
  const final = ins.filter((i) => i.stage === last);
  const entry = final.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  if (!entry) throw new Error('Dockerfile: the runtime stage has no ENTRYPOINT');
  const argv = JSON.parse(entry.args) as string[];
  const script = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
  const env: Record<string, string> = {};
  for (const i of final.filter((x) => x.op === 'ENV')) {
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[m[1]!] = m[3] ?? m[2]!;
  }
  return { nodeFlags: script < 0 ? argv.slice(1) : argv.slice(1, script), env };
}

export async function readImageRuntime(path: string): Promise<ImageRuntime> {
  return imageRuntime(await readFile(path, 'utf8'));
}
