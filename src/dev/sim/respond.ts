// Response writers. AWS rest-json errors: status code, `x-amzn-errortype: <Type>`, JSON body
// `{"message": ...}`; every response carries `x-amzn-requestid`.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

export function sendAwsError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { message }, { 'x-amzn-errortype': type });
}

/** Coral-style validation message: "1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: ...". */
export function validationMessage(errors: Array<{ field: string; value: string; constraint: string }>): string {
  const n = errors.length;
  const list = errors.map((e) => `Value '${e.value}' at '${e.field}' failed to satisfy constraint: ${e.constraint}`).join('; ');
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${list}`;
}

/** Drop the connection with a TCP RST (a plain destroy under TLS, whose handle cannot reset). */
export function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
