import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Settings } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueueName, QueuesModule } from '@libs/queues';
import { AdminDeliveriesController } from './admin-deliveries.controller';
import { AdminDeliveriesService } from './admin-deliveries.service';
import { isAdmin } from './admin-auth';
import { AdminGuard } from './admin.guard';

/**
 * Operators' routes behind ADMIN_TOKEN: the BullMQ dashboard at /admin/queues (basic auth: any user, the
 * token as password), and the delivery log and resend under /api/admin (bearer or basic auth).
 */
@Module({
  imports: [
    DatabaseModule,
    QueuesModule,
    BullBoardModule.forRootAsync({
      inject: [Settings],
      useFactory: (settings: Settings) => ({
        route: '/admin/queues',
        adapter: ExpressAdapter,
        middleware: (req: Request, res: Response, next: NextFunction): void => {
          if (!settings.ADMIN_TOKEN) {
            res.status(404).end();
          } else if (isAdmin(req, settings.ADMIN_TOKEN)) {
            next();
          } else {
            res.status(401).set('www-authenticate', 'Basic realm="Paperboy admin"').end();
          }
        },
      }),
    }),
    ...Object.values(QueueName).map((name) => BullBoardModule.forFeature({ name, adapter: BullMQAdapter })),
  ],
  controllers: [AdminDeliveriesController],
  providers: [AdminDeliveriesService, AdminGuard],
})
export class AdminModule {}
