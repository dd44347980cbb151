import { Injectable } from '@nestjs/common';
import type SharpModule from 'sharp';

/** The `sharp` function, as the package exports it. */
export type SharpLibraryFunction = typeof SharpModule;

let loading: Promise<SharpLibraryFunction> | undefined;

/**
 * sharp, loaded on first use and then kept for the life of the process. libvips and its codecs cost an api
 * process about 16 MiB of resident memory at boot (measured, issue 16) although most api processes never
 * decode an image; the worker, which decodes every upload, loads it when it starts (`SharpLibrary.warmUp`).
 * A failed load is tried again on the next call.
 */
export function loadSharp(): Promise<SharpLibraryFunction> {
  loading ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** Whether sharp has been asked for in this process (a test of the api's lazy loading reads it). */
export function sharpRequested(): boolean {
  return loading !== undefined;
}

/** sharp for Nest: the one door to the library in libs/media, loaded on first use. */
@Injectable()
export class SharpLibrary {
  load(): Promise<SharpLibraryFunction> {
    return loadSharp();
  }

  /**
   * Loads sharp and its codecs now, by encoding one tiny image: a process that decodes images as its work (the
   * worker) would otherwise make the first file it inspects wait for them (hundreds of milliseconds when loaded).
   */
  async warmUp(): Promise<void> {
    const sharp = await loadSharp();
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
  }
}
