import { Module } from '@nestjs/common';
import { AccessTokenService } from './access-token.service';
import { AuthGuard } from './auth.guard';
import { SpaceAccessService } from './space-access.service';

@Module({ providers: [AccessTokenService, SpaceAccessService, AuthGuard], exports: [AccessTokenService, SpaceAccessService, AuthGuard] })
export class AuthModule {}
