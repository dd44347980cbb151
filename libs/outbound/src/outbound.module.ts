import { Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { OutboundClient } from './outbound-client';

/** Provides the {@link OutboundClient}, its allow-list from REMOTE_FETCH_ALLOW_HOSTS. */
@Module({
  providers: [
    {
      provide: OutboundClient,
      useFactory: (config: AppConfig) => new OutboundClient({ allowHosts: config.remoteFetch.allowHosts }),
      inject: [APP_CONFIG],
    },
  ],
  exports: [OutboundClient],
})
export class OutboundModule implements OnModuleDestroy {
  constructor(private readonly client: OutboundClient) {}

  /** Open keep-alive connections would otherwise hold shutdown until they idle out. */
  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}
