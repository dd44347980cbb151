import { Module } from '@nestjs/common';
import { ApiDocsController, ApiDocument } from './api-docs.controller';

@Module({ controllers: [ApiDocsController], providers: [ApiDocument], exports: [ApiDocument] })
export class ApiDocsModule {}
