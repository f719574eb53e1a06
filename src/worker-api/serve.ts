import type { FileProgress } from '../engine/package';
import type { Api, WorkerEvent, WorkerRequest } from './messages';

export interface CallContext {
  signal: AbortSignal;
  progress(progress: FileProgress): void;
  token(text: string): void;
}

export type Handlers<A extends Api> = {
  [M in keyof A]: (payload: A[M]['request'], context: CallContext) => Promise<A[M]['response']>;
};

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/** Transfers the buffers of typed arrays in a response instead of copying them. */
function transferables(value: unknown): Transferable[] {
  if (value instanceof Float32Array) return [value.buffer];
  if (value && typeof value === 'object') {
    return Object.values(value).flatMap((v) => (v instanceof Float32Array ? [v.buffer] : []));
  }
  return [];
}

const STREAM_EVERY_MS = 4;

/** Runs inside a worker: dispatches calls to handlers and reports every failure as a typed error event. */
export function serve<A extends Api>(scope: WorkerScope, handlers: Handlers<A>): void {
  const running = new Map<number, AbortController>();
  const post = (event: WorkerEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer);

  scope.onmessage = async (event: MessageEvent<WorkerRequest<A>>) => {
    const request = event.data;
    if (request.type === 'cancel') {
      running.get(request.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    const { id } = request;
    // Streamed text goes out at once when none went out for STREAM_EVERY_MS (the first token
    // always), else with what follows at the next turn of the event loop: a message a token
    // cost the worker as much as a decoding step's own JavaScript.
    let text = '';
    let sent = -Infinity;
    const flush = () => {
      if (text) post({ type: 'token', id, text });
      text = '';
      sent = performance.now();
    };
    try {
      const handler = handlers[request.method] as Handlers<Api>[string];
      const value = await handler(request.payload, {
        signal: controller.signal,
        progress: (progress) => post({ type: 'progress', id, progress }),
        token: (delta) => {
          text += delta;
          if (performance.now() - sent >= STREAM_EVERY_MS) flush();
          else if (text === delta) setTimeout(flush, 0);
        },
      });
      flush();
      post({ type: 'result', id, value }, transferables(value));
    } catch (error) {
      flush();
      const err = error instanceof Error ? error : new Error(String(error));
      post({ type: 'error', id, error: { name: err.name, message: err.message } });
    } finally {
      running.delete(id);
    }
  };
}
