import { Module } from '@nestjs/common';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueuesModule } from '@libs/queues';
import { ClassifierService } from './classifier.service';
import { ClassifyProcessor } from './classify.processor';

@Module({
  imports: [SettingsModule, DatabaseModule, QueuesModule],
  providers: [ClassifierService, ClassifyProcessor],
})
export class ClassifierModule {}
