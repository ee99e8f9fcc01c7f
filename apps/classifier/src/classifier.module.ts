import { Module } from '@nestjs/common';
import { LoggingModule, SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueuesModule } from '@libs/queues';
import { ClassifierService } from './classifier.service';
import { ClassifyProcessor } from './classify.processor';
import { PendingSeedResolver } from './pending-seeds';
import { RelevanceTrainer } from './relevance-trainer';
import { TopicTagger } from './topic-tagger';

@Module({
  imports: [SettingsModule, LoggingModule, DatabaseModule, QueuesModule],
  providers: [ClassifierService, ClassifyProcessor, TopicTagger, RelevanceTrainer, PendingSeedResolver],
})
export class ClassifierModule {}
