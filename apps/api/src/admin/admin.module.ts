import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Settings } from '@libs/config';
import { QueueName, QueuesModule } from '@libs/queues';
import { isAdmin } from './admin-auth';

/** The BullMQ dashboard at /admin/queues, behind ADMIN_TOKEN (basic auth: any user, the token as password). */
@Module({
  imports: [
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
})
export class AdminModule {}
