// biome-ignore lint/suspicious/noExplicitAny: event data is read loosely in assertions; a wrong shape fails them.
export type Loose = any;

/** One Server-Sent Event as a test reads it. */
export interface SseEvent {
  event: string;
  data: Loose;
}

/**
 * Reads events from an SSE response until `until` accepts one (returned with all before it)
 * or `timeoutMs` passes (then throws, listing what came), and cancels the stream.
 */
export async function readSseUntil(
  res: Response,
  until: (event: SseEvent) => boolean,
  timeoutMs = 5_000,
): Promise<SseEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen: SseEvent[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), Math.max(1, deadline - Date.now()))),
      ]);
      if (chunk === "timeout" || chunk.done) break;
      buffer += chunk.value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const event = block.match(/^event: (.*)$/m)?.[1] ?? "message";
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        const parsed: SseEvent = { event, data: data ? JSON.parse(data) : undefined };
        seen.push(parsed);
        if (until(parsed)) return seen;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(seen)}`);
}
