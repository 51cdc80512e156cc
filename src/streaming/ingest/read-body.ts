import type { IncomingMessage } from "node:http";

/** Bytes of an oversized body read (and dropped) before the connection is cut instead. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * The request body, or `"too_large"` as soon as it passes `maxBytes` (by its
 * Content-Length, or while reading). The rest of an oversized body is read and dropped so
 * the client, still sending, gets to read the 413 instead of a reset connection; past
 * `DRAIN_LIMIT` the connection is cut.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    let size = 0;
    let tooLarge = false;
    const chunks: Buffer[] = [];
    const refuse = () => {
      tooLarge = true;
      chunks.length = 0;
      resolve("too_large");
    };
    if (Number.isFinite(declared) && declared > maxBytes) refuse();
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > DRAIN_LIMIT) req.destroy();
        return;
      }
      if (size > maxBytes) return refuse();
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!tooLarge) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (error) => {
      if (!tooLarge) reject(error);
    });
  });
}
