import { Module } from '@nestjs/common';
import { LoggingModule, SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { HttpModule } from '@libs/http';
import { QueuesModule } from '@libs/queues';
import { ClassifierService } from './classifier.service';
import { ClassifyProcessor } from './classify.processor';
import { EmbedProcessor } from './embed.processor';
import { PaperEmbedder } from './paper-embedder';
import { PendingSeedResolver } from './pending-seeds';
import { RelevanceTrainer } from './relevance-trainer';
import { TopicTagger } from './topic-tagger';

@Module({
  imports: [SettingsModule, LoggingModule, DatabaseModule, QueuesModule, HttpModule.forSettings()],
  providers: [
    ClassifierService,
    ClassifyProcessor,
    TopicTagger,
    RelevanceTrainer,
    PendingSeedResolver,
    PaperEmbedder,
    EmbedProcessor,
  ],
})
export class ClassifierModule {}
