import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { type AppConfig, ConfigModule } from '@hangar/config';
import { DatabaseModule } from '@hangar/database';
import { EventsModule } from '@hangar/events';
import { MetricsModule } from '@hangar/observability';
import { QueueModule } from '@hangar/queue';
import { StorageModule } from '@hangar/storage';
import { AssetsModule } from './assets/assets.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { EnvironmentGuard } from './common/environment.guard';
import { DeliveryModule } from './delivery/delivery.module';
import { DialectsModule } from './dialects/dialects.module';
import { JsonBodyInterceptor } from './common/json-body.interceptor';
import { PathParamsGuard } from './common/path-params.guard';
import { QueryTextGuard } from './common/query-text.guard';
import { EnvironmentsModule } from './environments/environments.module';
import { EventStreamsModule } from './events/events.module';
import { FilesApiModule } from './files/files.module';
import { HealthModule } from './health/health.module';
import { LibraryModule } from './library/library.module';
import { LocalesModule } from './locales/locales.module';
import { ApiMetricsModule } from './metrics/metrics.module';
import { ApiDocsModule } from './docs/api-docs.module';
import { QueueDashboardModule } from './queue-dashboard/queue-dashboard.module';
import { SpacesModule } from './spaces/spaces.module';
import { TusModule } from './tus/tus.module';
import { UploadsModule } from './uploads/uploads.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        StorageModule,
        QueueModule,
        EventsModule,
        AuthModule,
        HealthModule,
        SpacesModule,
        EnvironmentsModule,
        LocalesModule,
        UsersModule,
        UploadsModule,
        TusModule,
        AssetsModule,
        DeliveryModule,
        FilesApiModule,
        DialectsModule,
        WebhooksModule,
        EventStreamsModule,
        ApiMetricsModule,
        ApiDocsModule,
        QueueDashboardModule,
        LibraryModule,
      ],
      // Guards run in this order, and only for a matched route (an unknown route is the router's 404, token or not):
      // a path with control characters is a 400 before any token or database lookup; the environment is looked up
      // only after the token (else 401) and the caller's membership and role in the space (else the space's 404, or
      // 403), so a caller who may not see a space learns nothing of its environments. Only then, in an interceptor
      // (they run after every guard), is a JSON body read.
      providers: [
        { provide: APP_GUARD, useClass: PathParamsGuard },
        { provide: APP_GUARD, useClass: QueryTextGuard },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useClass: EnvironmentGuard },
        { provide: APP_INTERCEPTOR, useClass: JsonBodyInterceptor },
      ],
    };
  }
}
