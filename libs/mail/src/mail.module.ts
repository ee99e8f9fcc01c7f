import { Module } from '@nestjs/common';
import { MailClient } from './mail-client';
import { MailSendRate } from './send-rate';

@Module({ providers: [MailClient, MailSendRate], exports: [MailClient, MailSendRate] })
export class MailModule {}
