import { Global, Module } from '@nestjs/common';
import { ObjectOwnershipRegistry } from './object-ownership.registry';
import { StorageService } from './storage.service';

@Global()
@Module({ providers: [StorageService, ObjectOwnershipRegistry], exports: [StorageService, ObjectOwnershipRegistry] })
export class StorageModule {}
