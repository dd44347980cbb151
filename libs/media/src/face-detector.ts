import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadSharp } from './sharp-library';
import { FaceDetectionWorker, FaceDetectorUnavailableError, type DetectorFiles, type RawFace } from './face-detection-worker';

export { FaceDetectorUnavailableError } from './face-detection-worker';

export interface FaceBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
}

export interface RawRgbPixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/**
 * The tiny face detector scores a square of this side. Measured on the 2-core development machine with
 * 640-pixel photos: 416 finds every face in the test set in 60–100 ms; 320 misses some in group photos for
 * about 35 MB less memory; 512 and 608 take 140 ms or more without finding more.
 */
const DETECTOR_INPUT_SIZE = 416;
/**
 * The tiny detector's scores in the measurements: real faces 0.67–0.97, a spacesuit's chest patch 0.63, a box
 * straddling two faces 0.63. (face-api's default, 0.5, would crop around the patch.)
 */
const MIN_SCORE = 0.65;
/** Generous: a detection takes ~0.1 s, the first one ~0.5 s (loading the model). */
const DETECTION_TIMEOUT_MS = 10_000;
const MODEL_FILES = ['tiny_face_detector_model-weights_manifest.json', 'tiny_face_detector_model.bin'];

/**
 * Finds faces for `f=face` and `f=faces`: face-api's tiny face detector (@vladmandic/face-api, weights shipped
 * in the package) on TensorFlow.js's WebAssembly backend, in a thread of its own. The model loads on first
 * use, once per process; nothing is fetched from the network. When the packages or the model files are
 * missing, or the model fails to load, {@link available} is false and callers use sharp's attention strategy.
 */
@Injectable()
export class FaceDetector implements OnModuleDestroy {
  private readonly logger = new Logger(FaceDetector.name);
  private readonly files = locateDetectorFiles();
  private worker: FaceDetectionWorker | undefined;
  private failure: string | undefined = this.files === undefined ? 'the face model packages are not installed' : undefined;

  /** Whether a detector model is available (false: callers fall back to sharp's attention strategy). */
  get available(): boolean {
    return this.failure === undefined;
  }

  /**
   * Faces in an image given as raw pixels (sharp `.raw()` output, 3 channels, at most 640 px on the longer
   * side), largest first; [] when none. Rejects with {@link FaceDetectorUnavailableError} when the model
   * cannot run (and {@link available} turns false), or with an Error when one detection fails or times out.
   */
  async detect(pixels: RawRgbPixels): Promise<FaceBox[]> {
    const { data, width, height, channels } = pixels;
    if (channels !== 3 || data.length !== width * height * 3) {
      throw new RangeError(`Expected ${width}×${height} RGB pixels (${width * height * 3} bytes), got ${data.length} bytes.`);
    }
    if (this.failure !== undefined || this.files === undefined) throw new FaceDetectorUnavailableError(this.failure ?? '');
    this.worker ??= new FaceDetectionWorker(
      this.files,
      { inputSize: DETECTOR_INPUT_SIZE, minScore: MIN_SCORE },
      DETECTION_TIMEOUT_MS,
      (reason) => this.disable(reason),
    );
    // The model looks at DETECTOR_INPUT_SIZE pixels anyway: shrinking here (in sharp's thread pool) costs
    // less than doing it in the model's thread and keeps its tensors, hence its memory, smaller.
    const scale = Math.min(1, DETECTOR_INPUT_SIZE / Math.max(width, height));
    const input =
      scale < 1
        ? await (
            await loadSharp()
          )(data, { raw: { width, height, channels } })
            .resize({ width: Math.round(width * scale), height: Math.round(height * scale), fit: 'fill' })
            .raw()
            .toBuffer({ resolveWithObject: true })
        : { data, info: { width, height } };
    const faces = await this.worker.detect(input.data, input.info.width, input.info.height);
    const toSource = { x: width / input.info.width, y: height / input.info.height };
    return faces
      .map((face) => inSource(face, toSource, width, height))
      .filter((face) => face.width > 0 && face.height > 0)
      .sort((a, b) => b.width * b.height - a.width * a.height);
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.terminate();
  }

  private disable(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.logger.error(`Face detection disabled, f=face falls back to sharp's attention strategy: ${reason}`);
  }
}

/** A box in the source image's pixels, clipped to the image (the model's boxes may overhang its edges). */
function inSource(face: RawFace, scale: { x: number; y: number }, width: number, height: number): FaceBox {
  const left = Math.max(0, Math.round(face.left * scale.x));
  const top = Math.max(0, Math.round(face.top * scale.y));
  const right = Math.min(width, Math.round((face.left + face.width) * scale.x));
  const bottom = Math.min(height, Math.round((face.top + face.height) * scale.y));
  return { left, top, width: right - left, height: bottom - top, score: face.score };
}

/** The detector's files in node_modules, or undefined when any is missing (checked without loading them). */
function locateDetectorFiles(): DetectorFiles | undefined {
  try {
    const modelDirectory = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    if (!MODEL_FILES.every((name) => existsSync(join(modelDirectory, name)))) return undefined;
    return {
      tfjs: require.resolve('@tensorflow/tfjs'),
      wasmBackend: require.resolve('@tensorflow/tfjs-backend-wasm'),
      faceApi: require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js'),
      modelDirectory,
    };
  } catch {
    return undefined;
  }
}
