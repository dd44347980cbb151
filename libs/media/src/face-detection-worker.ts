import { Worker } from 'node:worker_threads';

/** Where the detector's code and weights are on disk (resolved in the main thread, passed to the worker). */
export interface DetectorFiles {
  readonly tfjs: string;
  readonly wasmBackend: string;
  readonly faceApi: string;
  readonly modelDirectory: string;
}

/** A face as the model reports it, in the pixels of the image it was given. */
export interface RawFace {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
}

export interface DetectorSettings {
  /** The side of the square the tiny face detector scores (a multiple of 32). */
  readonly inputSize: number;
  readonly minScore: number;
}

/** The model could not be loaded, or the thread running it died: no face detection in this process. */
export class FaceDetectorUnavailableError extends Error {
  override readonly name = 'FaceDetectorUnavailableError';
}

type Reply = { readonly id: number; readonly faces: RawFace[] } | { readonly id: number; readonly error: string };
type WorkerMessage = { readonly loadFailed: string } | Reply;

interface Pending {
  readonly resolve: (faces: RawFace[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/*
 * The code of the detection thread, plain CommonJS (no build step can miss it: neither tsc's output nor
 * Jest's transform has to know about a second entry point). It loads TensorFlow.js with its WebAssembly
 * backend and face-api's tiny face detector from the packages on disk, once, and answers one request at a
 * time. Network access is disabled in the thread first: the model must come from disk, and a library
 * that tried to fetch something would fail loudly instead of silently reaching out.
 */
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const refuse = () => { throw new Error('The face detector must not use the network.'); };
net.Socket.prototype.connect = refuse;
globalThis.fetch = refuse;
const { files, settings } = workerData;
let faceapi;
let tf;
const ready = (async () => {
  tf = require(files.tfjs);
  require(files.wasmBackend);
  faceapi = require(files.faceApi);
  await tf.setBackend('wasm');
  await tf.ready();
  tf.enableProdMode();
  await faceapi.nets.tinyFaceDetector.loadFromDisk(files.modelDirectory);
})();
ready.catch((error) => parentPort.postMessage({ loadFailed: String((error && error.message) || error) }));
parentPort.on('message', async ({ id, pixels, width, height }) => {
  try {
    await ready;
    const image = tf.tensor3d(pixels, [height, width, 3], 'int32');
    let detections;
    try {
      detections = await faceapi.detectAllFaces(
        image,
        new faceapi.TinyFaceDetectorOptions({ inputSize: settings.inputSize, scoreThreshold: settings.minScore }),
      );
    } finally {
      image.dispose();
    }
    const faces = detections.map(({ box, score }) => ({ left: box.x, top: box.y, width: box.width, height: box.height, score }));
    parentPort.postMessage({ id, faces });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

/**
 * One thread running the face model. Inference is synchronous WebAssembly (60–100 ms, over 300 ms for the
 * first call), so it must not run on the event loop that serves HTTP. The thread holds the process open only
 * while a request is pending.
 */
export class FaceDetectionWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: string | undefined;

  constructor(
    files: DetectorFiles,
    settings: DetectorSettings,
    private readonly timeoutMs: number,
    private readonly onFailure: (reason: string) => void,
  ) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { files, settings },
      // A small young generation: the thread's JavaScript allocates little (tensors live in WebAssembly
      // memory), and the default semi-spaces cost about 30 MB of resident memory for nothing.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    this.worker.on('error', (error) => this.fail(`The face detection thread failed: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`The face detection thread exited (code ${code}).`));
  }

  /** Faces in `pixels` (RGB, row by row), in those pixels' coordinates. */
  detect(pixels: Uint8Array, width: number, height: number): Promise<RawFace[]> {
    if (this.failure !== undefined) return Promise.reject(new FaceDetectorUnavailableError(this.failure));
    const id = this.nextId++;
    return new Promise<RawFace[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(new Error(`Face detection took longer than ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.ref();
      this.worker.postMessage({ id, pixels, width, height });
    });
  }

  /** Stops the thread (shutting down is not a failure: nobody is told). */
  async terminate(): Promise<void> {
    this.fail('The face detector was shut down.', false);
    await this.worker.terminate();
  }

  private receive(message: WorkerMessage): void {
    if ('loadFailed' in message) {
      this.fail(`The face model could not be loaded: ${message.loadFailed}`);
      return;
    }
    const pending = this.settle(message.id);
    if (pending === undefined) return;
    if ('error' in message) pending.reject(new Error(`Face detection failed: ${message.error}`));
    else pending.resolve(message.faces);
  }

  /** Forgets a request, letting the process exit once none is left. */
  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (pending === undefined) return undefined;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return pending;
  }

  private fail(reason: string, notify = true): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    if (notify) this.onFailure(reason);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new FaceDetectorUnavailableError(reason));
  }
}
