import { Module } from '@nestjs/common';
import { AccessTokenService } from './access-token.service';
import { AuthFailureLimitService } from './auth-failure-limit.service';
import { AuthGuard } from './auth.guard';
import { RateLimitService } from './rate-limit.service';
import { SpaceAccessService } from './space-access.service';

@Module({
  providers: [AccessTokenService, SpaceAccessService, RateLimitService, AuthFailureLimitService, AuthGuard],
  exports: [AccessTokenService, SpaceAccessService, AuthGuard],
})
export class AuthModule {}
