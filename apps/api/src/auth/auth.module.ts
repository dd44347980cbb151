import { Module } from '@nestjs/common';
import { AccessTokenService } from './access-token.service';
import { AuthGuard } from './auth.guard';
import { RateLimitService } from './rate-limit.service';
import { SpaceAccessService } from './space-access.service';

@Module({
  providers: [AccessTokenService, SpaceAccessService, RateLimitService, AuthGuard],
  exports: [AccessTokenService, SpaceAccessService, AuthGuard],
})
export class AuthModule {}
