import type { FileProgress } from '../engine/package';
import type { Api, WorkerEvent, WorkerRequest } from './messages';

/** An error raised in a worker (or the worker dying), with the worker's own name and message. */
export class WorkerError extends Error {
  constructor(
    name: string,
    message: string,
    readonly worker: string,
  ) {
    super(message);
    this.name = name;
  }
}

export interface CallHandlers {
  onProgress?(progress: FileProgress): void;
  onToken?(text: string): void;
}

interface Pending extends CallHandlers {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface Call<T> {
  result: Promise<T>;
  cancel(): void;
}

/**
 * The UI side of one worker. A worker that crashes fails its pending calls
 * with a readable WorkerError and is started afresh on the next call; `onRestart`
 * lets the owner reload the model into the new worker first.
 */
export class WorkerClient<A extends Api> {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly name: string,
    private readonly spawn: () => Worker,
  ) {}

  /** True when the next call starts a fresh worker (first use, after a crash or terminate). */
  get fresh(): boolean {
    return this.worker === null;
  }

  call<M extends keyof A & string>(
    method: M,
    payload: A[M]['request'],
    handlers: CallHandlers = {},
    transfer: Transferable[] = [],
  ): Call<A[M]['response']> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const result = new Promise<A[M]['response']>((resolve, reject) => {
      this.pending.set(id, { ...handlers, resolve: resolve as (v: unknown) => void, reject });
    });
    worker.postMessage({ type: 'call', id, method, payload } as WorkerRequest<A>, transfer);
    return { result, cancel: () => this.worker?.postMessage({ type: 'cancel', id } as WorkerRequest<A>) };
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.failAll(new WorkerError('AbortError', `The ${this.name} worker was stopped.`, this.name));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.spawn();
    worker.onmessage = (event: MessageEvent<WorkerEvent>) => this.dispatch(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.crash(event.message || 'it stopped unexpectedly');
    };
    worker.onmessageerror = () => this.crash('a message could not be read');
    this.worker = worker;
    return worker;
  }

  private crash(reason: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.failAll(new WorkerError('WorkerCrash', `The ${this.name} worker crashed (${reason}). Try again: it restarts on the next request.`, this.name));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private dispatch(event: WorkerEvent): void {
    const pending = this.pending.get(event.id);
    if (!pending) return;
    switch (event.type) {
      case 'progress':
        pending.onProgress?.(event.progress);
        break;
      case 'token':
        pending.onToken?.(event.text);
        break;
      case 'result':
        this.pending.delete(event.id);
        pending.resolve(event.value);
        break;
      case 'error':
        this.pending.delete(event.id);
        pending.reject(new WorkerError(event.error.name, event.error.message, this.name));
        break;
    }
  }
}
