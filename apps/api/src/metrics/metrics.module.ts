import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { ScrapeTimeMetrics } from './scrape-time-metrics';

@Module({ controllers: [MetricsController], providers: [ScrapeTimeMetrics] })
export class ApiMetricsModule {}
