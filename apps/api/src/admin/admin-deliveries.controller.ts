import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminGuard } from './admin.guard';
import { AdminDeliveriesService, DeliveryLogPage, ResendAnswer } from './admin-deliveries.service';
import { DeliveryLogQueryDto } from './delivery-log-query.dto';

/** A subscription's delivery log and an operator's resend of a failed delivery (admin token). */
@ApiTags('Admin')
@Controller('api/admin')
@UseGuards(AdminGuard)
export class AdminDeliveriesController {
  constructor(private readonly deliveries: AdminDeliveriesService) {}

  @Get('subscriptions/:id/deliveries')
  log(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: DeliveryLogQueryDto): Promise<DeliveryLogPage> {
    return this.deliveries.deliveriesOf(id, query.page, query.limit);
  }

  @Post('deliveries/:id/resend')
  @HttpCode(202)
  resend(@Param('id', new ParseUUIDPipe()) id: string): Promise<ResendAnswer> {
    return this.deliveries.resend(id);
  }
}
