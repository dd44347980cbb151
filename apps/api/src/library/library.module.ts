import { Module } from '@nestjs/common';
import { LibraryController } from './library.controller';

/** The media library's static files at /library (apps/web, built by `npm run build`). */
@Module({ controllers: [LibraryController] })
export class LibraryModule {}
