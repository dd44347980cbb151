import { Module } from '@nestjs/common';
import { QueueDashboard } from './queue-dashboard';
import { QueueDashboardController } from './queue-dashboard.controller';

@Module({ controllers: [QueueDashboardController], providers: [QueueDashboard] })
export class QueueDashboardModule {}
