import { Module } from '@nestjs/common';
import { AccessTokenService } from './access-token.service';
import { AuthCacheService } from './auth-cache.service';
import { AuthFailureLimitService } from './auth-failure-limit.service';
import { AuthGuard } from './auth.guard';
import { RateLimitService } from './rate-limit.service';
import { SpaceAccessService } from './space-access.service';

@Module({
  providers: [AuthCacheService, AccessTokenService, SpaceAccessService, RateLimitService, AuthFailureLimitService, AuthGuard],
  exports: [AuthCacheService, AccessTokenService, SpaceAccessService, AuthGuard],
})
export class AuthModule {}
