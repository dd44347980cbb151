import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError, NotFoundError } from '@hangar/domain';
import { Public } from '../auth/auth.decorators';

/** Vite names every file under assets/ after a hash of its content: a name never changes meaning. */
const HASHED_DIR = 'assets';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may talk to this api only (uploads, events, assets); thumbnails come from file URLs on PUBLIC_BASE_URL,
 * which may be another origin, and Uppy previews files from blob: URLs. Uppy and preact set inline styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: http: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The media library (apps/web), as `npm run build` leaves it in LIBRARY_DIR: index.html at /library (never cached,
 * so a new build is picked up at once) and its hashed assets (cached for good). Routing in the page is by hash, so
 * any other path is a file or a 404. Public: the page asks for a token itself.
 */
@Controller('library')
@Public()
export class LibraryController {
  private readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = config.library.dir;
  }

  @Get()
  async index(@Res() response: Response): Promise<void> {
    await this.send(response, ['index.html']);
  }

  @Get('*path')
  async file(@Param('path') path: string[] | string, @Res() response: Response): Promise<void> {
    const segments = (Array.isArray(path) ? path : path.split('/')).filter((segment) => segment !== '');
    await this.send(response, segments.length === 0 ? ['index.html'] : segments);
  }

  private async send(response: Response, segments: readonly string[]): Promise<void> {
    if (!(await isFile(join(this.root, 'index.html'))))
      throw new HangarError(
        'NotFound',
        'The media library has not been built on this server: run `npm run build` (or `npm run build:web`) and reload.',
        { type: 'MediaLibrary' },
      );
    // Names only, never a way out of the root: no dot files, no `..`, no separators hidden in an encoded segment.
    if (segments.some((segment) => segment.startsWith('.') || segment.includes('/') || segment.includes('\\')))
      throw new NotFoundError('MediaLibraryFile');
    const file = resolve(this.root, ...segments);
    if (!file.startsWith(this.root + sep) || !(await isFile(file))) throw new NotFoundError('MediaLibraryFile');

    const hashed = segments.length > 1 && segments[0] === HASHED_DIR;
    response.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    response.setHeader('Cache-Control', hashed ? IMMUTABLE : 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (extname(file) === '.html') response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    await new Promise<void>((done) => {
      // send (under Express) sets Last-Modified and answers If-Modified-Since and Range (ETags are off app-wide).
      response.sendFile(file, { dotfiles: 'deny', cacheControl: false }, (error) => {
        // Only a client gone mid-file gets here (the file was just found): nothing more can be said to it.
        if (error !== undefined && !response.headersSent) response.status(404).end();
        done();
      });
    });
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
